import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const packagesDir = join(root, 'packages');
/** The one module that imports zod: it installs zod/mini's English messages before any schema parses. */
const ZOD_MODULE = 'packages/core/src/zod.ts';
/** zod/mini's share of a handler bundle, minified: ≈ 35 KiB today; classic zod alone is ≈ 445 KiB. */
const ZOD_BUDGET_BYTES = 64 * 1024;

const IMPORT_SPECIFIER =
  /\b(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g;
// `import { z } from '…/zod.ts'` compiles (zod/mini exports its own `z` object), but esbuild cannot
// tree-shake member accesses on that object: the whole of zod/mini and every locale end up in the bundle.
const NAMED_Z_IMPORT = /\bimport\s+(?:type\s+)?\{[^}]*\bz\b[^}]*\}\s*from\s*['"][^'"]*zod(?:\.ts)?['"]/;

function sourceFiles(): string[] {
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) =>
      readdirSync(join(packagesDir, entry.name, 'src'), { recursive: true, encoding: 'utf8' })
        .filter((name) => /\.(ts|tsx|mts|js|mjs)$/.test(name))
        .map((name) => relative(root, join(packagesDir, entry.name, 'src', name))),
    )
    .sort();
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...new Set([...text.matchAll(IMPORT_SPECIFIER)].map((match) => match[1] ?? match[2] ?? ''))];
}

describe('zod in the Lambda bundles (conformance)', () => {
  it('imports zod only from zod/mini, and only in packages/core/src/zod.ts', () => {
    // Prepare
    const files = sourceFiles();

    // Act
    const zodImports = files.flatMap((file) =>
      importsOf(file)
        .filter((specifier) => specifier === 'zod' || specifier.startsWith('zod/'))
        .map((specifier) => `${file}: ${specifier}`),
    );

    // Assess
    expect(files.length).toBeGreaterThan(50);
    expect(zodImports).toEqual([`${ZOD_MODULE}: zod/locales`, `${ZOD_MODULE}: zod/mini`]);
  });

  it('imports the zod module as a namespace, so bundlers can tree-shake it', () => {
    const namedImports = sourceFiles().filter((file) =>
      NAMED_Z_IMPORT.test(readFileSync(join(root, file), 'utf8')),
    );

    expect(namedImports).toEqual([]);
  });

  it('bundles a handler without classic zod, and with little of zod/mini', async () => {
    // Prepare
    const entry = join(packagesDir, 'functions', 'src', 'handlers', 'actions', 'notify.ts');

    // Act
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node24',
      mainFields: ['module', 'main'],
      minify: true,
      metafile: true,
      write: false,
      outdir: join(tmpdir(), 'cordon-no-classic-zod'), // write: false: nothing is written there
      logLevel: 'silent',
    });

    // Assess
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.endsWith('packages/core/src/actions/notify.ts'))).toBe(true);
    expect(inputs.filter((input) => input.includes('zod/v4/classic/'))).toEqual([]);
    const [output] = Object.values(result.metafile.outputs);
    const zodBytes = Object.entries(output?.inputs ?? {})
      .filter(([input]) => input.includes('node_modules/zod/'))
      .reduce((sum, [, used]) => sum + used.bytesInOutput, 0);
    expect(zodBytes).toBeGreaterThan(0);
    expect(zodBytes).toBeLessThan(ZOD_BUDGET_BYTES);
  });
});
