/**
 * Every SDK schema module the plugin rewrites, in this repository's dependency tree, must export exactly what
 * the original exports. Each module is bundled twice by esbuild into a temp file — as it is, and through the
 * plugin — because the SDK's `dist-es` cannot be loaded by Node as it stands (extensionless relative imports
 * in a package that is not `"type": "module"`); the bundles are CommonJS and loaded with Node's own `require`,
 * which spares vitest transforming 1.3 MB twice. Both are loaded and every export is compared
 * structurally: arrays, trait objects and their key order, `() => Schema$` thunks resolved, error classes by
 * name and lineage, the error registries by content; cycles are followed once.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_MODULE_FILTER, sdkSchemaKeysPlugin } from '../../bundling/sdk-schema-keys.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const load = createRequire(import.meta.url);

/** The schema modules the plugin would rewrite: every `@aws-sdk/*` package installed for the workspaces. */
function schemaModules(): string[] {
  const scopes = [
    join(ROOT, 'node_modules', '@aws-sdk'),
    ...readdirSync(join(ROOT, 'packages')).map((name) =>
      join(ROOT, 'packages', name, 'node_modules', '@aws-sdk'),
    ),
  ];
  const found: string[] = [];
  for (const scope of scopes) {
    let packages: string[];
    try {
      packages = readdirSync(scope);
    } catch {
      continue;
    }
    for (const name of packages) {
      const distEs = join(scope, name, 'dist-es');
      let files: string[];
      try {
        files = readdirSync(distEs, { recursive: true, encoding: 'utf8' });
      } catch {
        continue;
      }
      for (const file of files) {
        const path = join(distEs, file);
        if (SCHEMA_MODULE_FILTER.test(path)) found.push(path);
      }
    }
  }
  return found.sort();
}

const MODULES = schemaModules();

type Difference = string | undefined;

function isThunk(value: (...args: unknown[]) => unknown): boolean {
  // Arrow functions have no prototype; the schemas' thunks take no argument.
  return value.length === 0 && !Object.hasOwn(value, 'prototype');
}

function lineage(value: object): string[] {
  const names: string[] = [];
  for (let proto: unknown = value; typeof proto === 'function'; proto = Object.getPrototypeOf(proto)) {
    names.push((proto as { name: string }).name);
  }
  return names;
}

/** The first structural difference between two values, or undefined. */
function difference(a: unknown, b: unknown, path: string, seen: Map<object, Set<object>>): Difference {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`;
  if (typeof a !== 'object' && typeof a !== 'function') return `${path}: ${String(a)} vs ${String(b)}`;
  if (a === null || b === null) return `${path}: ${String(a)} vs ${String(b)}`;
  const left = a as object;
  const right = b as object;
  const pairs = seen.get(left) ?? new Set<object>();
  if (pairs.has(right)) return undefined;
  pairs.add(right);
  seen.set(left, pairs);

  if (typeof left === 'function') {
    const f = left as (...args: unknown[]) => unknown;
    const g = right as (...args: unknown[]) => unknown;
    if (isThunk(f) && isThunk(g)) return difference(f(), g(), `${path}()`, seen);
    if (Object.hasOwn(f, 'prototype')) {
      const [x, y] = [lineage(f).join(' < '), lineage(g).join(' < ')];
      return x === y ? undefined : `${path}: class ${x} vs ${y}`;
    }
    return String(f) === String(g) ? undefined : `${path}: function ${String(f)} vs ${String(g)}`;
  }
  if (Array.isArray(left) !== Array.isArray(right)) return `${path}: array vs not`;
  if (left.constructor?.name !== right.constructor?.name) {
    return `${path}: ${left.constructor?.name} vs ${right.constructor?.name}`;
  }
  if (left instanceof Map && right instanceof Map) {
    const x = [...left];
    const y = [...right];
    if (x.length !== y.length) return `${path}: Map of ${x.length} vs ${y.length}`;
    for (const [index, [key, value]] of x.entries()) {
      const [otherKey, otherValue] = y[index] ?? [];
      const found =
        difference(key, otherKey, `${path}.keys[${index}]`, seen) ??
        difference(value, otherValue, `${path}.get(${String(key)})`, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const keys = Reflect.ownKeys(left);
  const otherKeys = Reflect.ownKeys(right);
  if (keys.map(String).join(',') !== otherKeys.map(String).join(',')) {
    return `${path}: keys ${keys.map(String).join(',')} vs ${otherKeys.map(String).join(',')}`;
  }
  for (const key of keys) {
    const found = difference(
      (left as Record<PropertyKey, unknown>)[key],
      (right as Record<PropertyKey, unknown>)[key],
      `${path}[${JSON.stringify(String(key))}]`,
      seen,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

let outdir: string;

async function bundleModule(
  path: string,
  plugins: Parameters<typeof build>[0]['plugins'],
  file: string,
): Promise<Record<string, unknown>> {
  const outfile = join(outdir, file);
  await build({
    stdin: { contents: `export * from ${JSON.stringify(path)};`, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'silent',
    ...(plugins === undefined ? {} : { plugins }),
  });
  return load(outfile) as Record<string, unknown>;
}

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'cordon-schema-equivalence-'));
});

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe('schema modules through sdkSchemaKeysPlugin', () => {
  it('include every client Cordon calls', () => {
    const clients = new Set(MODULES.map((path) => /@aws-sdk[\\/](client-[^\\/]+)/.exec(path)?.[1]));
    for (const client of [
      'client-ec2',
      'client-iam',
      'client-ssm',
      'client-dynamodb',
      'client-sns',
      'client-sfn',
    ]) {
      expect(clients).toContain(client);
    }
  });

  it.each(MODULES.map((path) => [relative(ROOT, path), path]))(
    'export the same schemas: %s',
    async (_name, path) => {
      const id = MODULES.indexOf(path);

      const original = await bundleModule(path, undefined, `original-${id}.cjs`);
      const literal = await bundleModule(path, [sdkSchemaKeysPlugin()], `literal-${id}.cjs`);

      expect(Object.keys(literal).sort()).toEqual(Object.keys(original).sort());
      expect(Object.keys(original).length).toBeGreaterThan(0);
      const seen = new Map<object, Set<object>>();
      for (const name of Object.keys(original)) {
        expect(difference(original[name], literal[name], name, seen)).toBeUndefined();
      }
      // The rewrite did happen: the compared bundles are not the same code.
      expect(readFileSync(join(outdir, `literal-${id}.cjs`), 'utf8')).not.toBe(
        readFileSync(join(outdir, `original-${id}.cjs`), 'utf8'),
      );
    },
  );
});
