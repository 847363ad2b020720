// The Resolver client is pinned at 3.654.0 (the newest the registry here serves) while the rest of the SDK is current.
// package.json's `overrides` give its subtree the root's packages (@aws-sdk/core 3.98x, @smithy/core 3.4x and the
// packages that now re-export from them), so that the bundles carry one copy of the SDK's core, not two. These tests
// keep that so: every dependency of the client resolves to the root's copy, and every name its ES and CommonJS builds
// import from a package is still exported by the version it now gets.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const clientDir = join(projectDir, 'node_modules', '@aws-sdk', 'client-route53resolver');
const fromClient = createRequire(join(clientDir, 'package.json'));
const fromRoot = createRequire(join(projectDir, 'package.json'));
const manifest = JSON.parse(readFileSync(join(clientDir, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

const jsFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => join(dir, file));

/** Names the ES build imports (or re-exports) from each package: `import { a, b as c } from 'pkg'`. */
function esImports(): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (const file of jsFiles(join(clientDir, 'dist-es'))) {
    for (const [, list = '', from = ''] of readFileSync(file, 'utf8').matchAll(
      /(?:import|export)\s*\{([^}]*)\}\s*from\s*["']([^"'.][^"']*)["']/g,
    )) {
      const set = names.get(from) ?? new Set<string>();
      for (const item of list.split(',')) {
        const name = item.trim().split(/\s+as\s+/)[0];
        if (name) set.add(name);
      }
      names.set(from, set);
    }
  }
  return names;
}

/** Members the CommonJS build reads from each required package: `var x = require('pkg'); … x.name`. */
function cjsImports(): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (const file of jsFiles(join(clientDir, 'dist-cjs'))) {
    const code = readFileSync(file, 'utf8');
    for (const [, local = '', from = ''] of code.matchAll(
      /(?:var|const|let)\s+(\w+)\s*=\s*(?:__toESM\()?require\("([^".][^"]*)"\)/g,
    )) {
      const set = names.get(from) ?? new Set<string>();
      for (const [, name = ''] of code.matchAll(new RegExp(`\\b${local}\\.(\\w+)`, 'g'))) set.add(name);
      names.set(from, set);
    }
  }
  return names;
}

const missing = (imports: Map<string, Set<string>>): string[] =>
  [...imports].flatMap(([from, set]) => {
    const exported = fromClient(from) as Record<string, unknown>;
    return [...set].filter((name) => !(name in exported)).map((name) => `${from}: ${name}`);
  });

describe(`@aws-sdk/client-route53resolver ${manifest.version} on the root SDK`, () => {
  it('has no node_modules of its own: no second copy of any package under it', () => {
    expect(existsSync(join(clientDir, 'node_modules'))).toBe(false);
  });

  it("resolves every dependency to the root's copy, and @aws-sdk/core and @smithy/core to the root's versions", () => {
    for (const name of Object.keys(manifest.dependencies)) {
      expect(fromClient.resolve(`${name}/package.json`), name).toBe(fromRoot.resolve(`${name}/package.json`));
    }
    const rootCore = fromRoot('@aws-sdk/client-route-53/package.json') as { dependencies: Record<string, string> };
    for (const name of ['@aws-sdk/core', '@smithy/core']) {
      const resolved = fromClient(`${name}/package.json`) as { version: string };
      expect(resolved.version.split('.')[0], name).toBe(rootCore.dependencies[name]?.replace(/^\^/, '').split('.')[0]);
    }
  });

  it('finds every name its ES build imports exported by the packages it gets', () => {
    const imports = esImports();
    expect(imports.size).toBeGreaterThan(20);
    expect(missing(imports)).toEqual([]);
  });

  it('finds every member its CommonJS build reads exported by the packages it gets', () => {
    const imports = cjsImports();
    expect(imports.size).toBeGreaterThan(20);
    expect(missing(imports)).toEqual([]);
  });
});
