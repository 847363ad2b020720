#!/usr/bin/env node
// The rlec-dns CLI. It runs the TypeScript in cli/ and lib/ through tsx (a devDependency, installed by `npm ci`):
// no build step, so a clone always runs the code it holds, the same code the functions are built from.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 6)) {
  process.stderr.write(`rlec-dns: error: Node.js 20.6 or later is needed, this is ${process.version}\n`);
  process.exit(1);
}
// The SDK's notice that its future releases need Node 22 is not for the CLI's user to act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch {
  process.stderr.write(
    'rlec-dns: error: tsx is not installed; run `npm ci` in the clone (dev dependencies included)\n',
  );
  process.exit(1);
}
const api = tsx.register({ namespace: 'rlec-dns' });
const { main } = await api.import('../cli/main.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2));
