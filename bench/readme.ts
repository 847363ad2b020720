/** `npm run bench:readme`: refreshes the README tables from bench/results.json, without running the benchmark. */
import { readFile } from 'node:fs/promises';
import { RESULTS_FILE, renderReadme } from './render.js';
import type { Results } from './report.js';

const results = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as Results;
const changed = await renderReadme(results);
console.log(changed.length > 0 ? `updated ${changed.join(', ')}` : 'no file with the bench markers needed a change');
