/**
 * (c) Cold start: the state-change handler bundled exactly as serverless.yml bundles it (serverless-esbuild's options
 * from `custom.esbuild`), against the two bare SDK clients (`new Route53Client()`, `new EC2Client()`) bundled the
 * same way, and an empty module for the floor. Each is imported in fresh Node processes, in turns, several times; the
 * median counts. Imports run with the functions' NODE_OPTIONS (source maps on), as in Lambda.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { deployedEsbuildOptions, deployedNodeOptions, PROJECT_DIR } from './deployment.js';

const run = promisify(execFile);

export interface BundleFigures {
  readonly name: string;
  readonly bytes: number;
  readonly mapBytes: number;
  /** Median import time, with the deployed NODE_OPTIONS. */
  readonly importMs: number;
  /** Median import time without source maps. */
  readonly importMsWithoutMaps: number;
  readonly samples: number[];
}

export interface ColdStartResult {
  readonly runs: number;
  readonly nodeVersion: string;
  readonly nodeOptions: string;
  readonly bundles: BundleFigures[];
  /** handler ÷ the two SDK clients, import time with the deployed NODE_OPTIONS. */
  readonly ratio: number;
  readonly ratioWithoutMaps: number;
  readonly target: number;
}

const ENTRIES: { name: string; contents?: string; file?: string }[] = [
  { name: 'empty module', contents: 'export {};' },
  {
    name: 'Route 53 client',
    contents: "import { Route53Client } from '@aws-sdk/client-route-53'; export const r = new Route53Client({});",
  },
  {
    name: 'EC2 client',
    contents: "import { EC2Client } from '@aws-sdk/client-ec2'; export const e = new EC2Client({});",
  },
  {
    name: 'both SDK clients',
    contents:
      "import { Route53Client } from '@aws-sdk/client-route-53'; import { EC2Client } from '@aws-sdk/client-ec2';\n" +
      'export const r = new Route53Client({}); export const e = new EC2Client({});',
  },
  { name: 'state-change handler', file: 'handlers/ec2-state-change.ts' },
];

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Time to import the module in a fresh process, measured inside it (process start-up excluded). */
async function importMs(file: string, nodeOptions: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: PROJECT_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_OPTIONS: nodeOptions,
      AWS_REGION: 'eu-west-1',
      // serverless.yml gives the functions their account (`!Ref AWS::AccountId`); loadConfig refuses to start without.
      ACCOUNT_ID: '123456789012',
      // Lambda's Node 22 prints no "upgrade your Node" warning at the first client; neither should Node 20 here.
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  // The handler logs at cold start (its pacing, where private addresses go): the time is the last line.
  return Number(stdout.trim().split('\n').at(-1));
}

export async function coldStart(runs: number, target: number): Promise<ColdStartResult> {
  const outdir = join(PROJECT_DIR, '.tmp', 'bench-cold-start');
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const options = deployedEsbuildOptions();
  const files: { name: string; file: string }[] = [];
  for (const [i, entry] of ENTRIES.entries()) {
    const out = join(outdir, `${i}`);
    const result = await esbuild.build({
      ...options,
      ...(entry.file === undefined
        ? { stdin: { contents: entry.contents ?? '', resolveDir: PROJECT_DIR, loader: 'js', sourcefile: 'entry.js' } }
        : { entryPoints: [join(PROJECT_DIR, entry.file)] }),
      outdir: out,
      logLevel: 'silent',
      metafile: true,
    } as esbuild.BuildOptions);
    const output = Object.keys(result.metafile?.outputs ?? {}).find((f) => !f.endsWith('.map'));
    if (output === undefined) throw new Error(`esbuild wrote no bundle for ${entry.name}`);
    files.push({ name: entry.name, file: join(PROJECT_DIR, output) });
  }

  const nodeOptions = deployedNodeOptions();
  const withMaps = new Map<string, number[]>(files.map((f) => [f.name, []]));
  const withoutMaps = new Map<string, number[]>(files.map((f) => [f.name, []]));
  // In turns, so that a slow moment of the machine hits every bundle alike.
  for (let i = 0; i < runs; i++) {
    for (const { name, file } of files) {
      withMaps.get(name)?.push(await importMs(file, nodeOptions));
      withoutMaps.get(name)?.push(await importMs(file, ''));
    }
  }
  const bundles: BundleFigures[] = [];
  for (const { name, file } of files) {
    const samples = withMaps.get(name) ?? [];
    bundles.push({
      name,
      bytes: (await stat(file)).size,
      mapBytes: (await stat(`${file}.map`)).size,
      importMs: median(samples),
      importMsWithoutMaps: median(withoutMaps.get(name) ?? []),
      samples: samples.map((s) => Math.round(s)),
    });
  }
  const of = (name: string) => bundles.find((b) => b.name === name) as BundleFigures;
  const handler = of('state-change handler');
  const sdk = of('both SDK clients');
  return {
    runs,
    nodeVersion: process.version,
    nodeOptions,
    bundles,
    ratio: handler.importMs / sdk.importMs,
    ratioWithoutMaps: handler.importMsWithoutMaps / sdk.importMsWithoutMaps,
    target,
  };
}
