/** `npm run bench:docs`: refreshes docs/benchmark.md's tables from bench/results.json, without running the benchmark. */
import { readFile } from 'node:fs/promises';
import { RESULTS_FILE, renderDocs } from './render.js';
import type { Results } from './report.js';

const results = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as Results;
const changed = await renderDocs(results);
console.log(changed.length > 0 ? `updated ${changed.join(', ')}` : 'no file with the bench markers needed a change');
