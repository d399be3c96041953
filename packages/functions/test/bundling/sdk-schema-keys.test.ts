import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  literalSchemaKeys,
  SCHEMA_MODULE_FILTER,
  sdkSchemaKeysPlugin,
} from '../../bundling/sdk-schema-keys.mjs';

/** The shape of the generated modules: a string table, then schemas whose trait objects use its names. */
const TABLE = 'const _xN = "xmlName";\nconst _eQN = "ec2QueryName";\nconst n0 = "com.amazonaws.ec2";\n';

function rewrite(body: string, table = TABLE): string {
  return literalSchemaKeys(table + body).code.slice(table.length);
}

describe('literalSchemaKeys', () => {
  it('turns a computed key naming a module string constant into that string, and nothing else', () => {
    const body =
      'export var A$ = [3, n0, _A,\n    0,\n    [_M],\n    [[1, { [_eQN]: `Min`,\n                [_xN]: _m }]]\n];\n';

    const result = literalSchemaKeys(TABLE + body);

    expect(result.code).toBe(
      `${TABLE}export var A$ = [3, n0, _A,\n    0,\n    [_M],\n    [[1, { "ec2QueryName": \`Min\`,\n                "xmlName": _m }]]\n];\n`,
    );
    expect(result.rewritten).toBe(2);
  });

  it('reads constants from multi-declarator and exported const statements', () => {
    const source =
      'const a = -1, k = "ref", g = { [k]: "Endpoint" };\nexport const e = "error";\nexport var E$ = { [e]: 1 };\n';

    expect(literalSchemaKeys(source).code).toBe(
      'const a = -1, k = "ref", g = { "ref": "Endpoint" };\nexport const e = "error";\nexport var E$ = { "error": 1 };\n',
    );
  });

  it('writes each value as a valid string literal, whatever it holds', () => {
    const table = 'const q = "say \\"hi\\"\\n\\\\ \\u2028 é";\n';

    const code = literalSchemaKeys(`${table}export default { [q]: 1 };\n`).code;

    expect(code).not.toContain('[q]');
    const evaluate = new Function(`${code.replace('export default', 'return')}`);
    expect(Object.keys(evaluate() as object)).toEqual(['say "hi"\n\\ \u2028 é']);
  });

  it('rewrites method and accessor keys of object literals too', () => {
    expect(rewrite('var o = { [_xN]() {}, get [_eQN]() { return 1; } };')).toBe(
      'var o = { "xmlName"() {}, get "ec2QueryName"() { return 1; } };',
    );
  });

  it('leaves array elements, member accesses and computed expressions alone', () => {
    const body = [
      'var members = [_R, [_xN], [[_eQN]]];',
      'var read = obj[_xN]; obj[_eQN] = 1;',
      'var c = cond ? [_xN] : [_eQN];',
      'var exprs = { [_xN + "s"]: 1, ["literal"]: 2, [`tpl`]: 3, [n0.length]: 4 };',
    ].join('\n');

    expect(rewrite(body)).toBe(body);
  });

  it('leaves names that are not string constants of the module itself', () => {
    const table = [
      'import { imported } from "./x";',
      'const num = 1;',
      'const tpl = `template`;',
      'let mutable = "let";',
      'var old = "var";',
      'function f() { const inner = "inner"; return { [inner]: 1 }; }',
      '',
    ].join('\n');
    const body = 'var o = { [imported]: 1, [num]: 2, [tpl]: 3, [mutable]: 4, [old]: 5, [undeclared]: 6 };';

    expect(literalSchemaKeys(table + body).code).toBe(table + body);
  });

  it('leaves a name declared more than once anywhere, even where it would mean the constant', () => {
    const body = [
      'var top = { [_xN]: 1 };',
      'var arrow = (_xN) => ({ [_xN]: 2 });',
      'function g() { let _eQN = "other"; return { [_eQN]: 3 }; }',
      'var still = { [n0]: 4 };',
    ].join('\n');

    expect(rewrite(body)).toBe(body.replace('[n0]', '"com.amazonaws.ec2"'));
  });

  it('never writes a literal __proto__ key, which would set the prototype instead of a property', () => {
    const table = 'const p = "__proto__";\n';

    expect(literalSchemaKeys(`${table}var o = { [p]: null };`).code).toBe(`${table}var o = { [p]: null };`);
  });

  it('leaves class members, destructuring, strings, templates and comments alone', () => {
    const body = [
      'class C { [_xN]() {} static [_eQN] = 1; }',
      'var { [_xN]: picked } = source;',
      'var s = "{ [_xN]: 1 }", t = `{ [_eQN]: 1 }`;',
      '// { [_xN]: 1 }',
      '/* { [_eQN]: 1 } */',
      'var commented = { [/* why */ _xN]: 1 };',
    ].join('\n');

    expect(rewrite(body)).toBe(body);
  });

  it('returns the very same string when there is nothing to rewrite', () => {
    const source = `${TABLE}export var B$ = [3, n0, _B, 0, [], []];\n`;

    expect(literalSchemaKeys(source)).toEqual({ code: source, rewritten: 0 });
    expect(literalSchemaKeys('export const x = [1];').code).toBe('export const x = [1];');
  });

  it('throws on a module it cannot parse (the plugin then loads it untouched)', () => {
    expect(() => literalSchemaKeys('var o = { [_xN]: ;')).toThrow();
  });
});

describe('SCHEMA_MODULE_FILTER', () => {
  it.each([
    '/app/node_modules/@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js',
    '/app/node_modules/@aws-sdk/client-elastic-load-balancing-v2/dist-es/schemas/schemas_1.js',
    '/app/node_modules/@aws-sdk/nested-clients/dist-es/submodules/sts/schemas/schemas_0.js',
    'C:\\app\\node_modules\\@aws-sdk\\client-ssm\\dist-es\\schemas\\schemas_0.js',
    '/app/node_modules/.pnpm/@aws-sdk+client-iam@3.1169.0/node_modules/@aws-sdk/client-iam/dist-es/schemas/schemas_0.js',
  ])('selects %s', (path) => {
    expect(SCHEMA_MODULE_FILTER.test(path)).toBe(true);
    // SST's plugin host rebuilds the filter with `new RegExp(filter)`.
    expect(new RegExp(SCHEMA_MODULE_FILTER).test(path)).toBe(true);
  });

  it.each([
    '/app/node_modules/@aws-sdk/client-ec2/dist-cjs/schemas/schemas_0.js',
    '/app/node_modules/@aws-sdk/client-ec2/dist-es/endpoint/bdd.js',
    '/app/node_modules/@aws-sdk/client-ssm/dist-es/models/errors.js',
    '/app/node_modules/@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js.map',
    '/app/node_modules/@smithy/core/dist-es/submodules/schema/schemas/schemas_0.js',
    '/app/packages/functions/src/schemas/schemas_0.js',
  ])('skips %s', (path) => {
    expect(SCHEMA_MODULE_FILTER.test(path)).toBe(false);
  });
});

describe('sdkSchemaKeysPlugin', () => {
  let root: string;

  /** A fake client whose schema module esbuild could drop but for its computed keys. */
  function writeClient(name: string, schemas: string): string {
    const dir = join(root, 'node_modules', '@aws-sdk', name, 'dist-es', 'schemas');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'schemas_0.js'), schemas);
    const entry = join(root, `${name}.js`);
    writeFileSync(
      entry,
      `import { Used$ } from "./node_modules/@aws-sdk/${name}/dist-es/schemas/schemas_0.js";\nconsole.log(Used$);\n`,
    );
    return entry;
  }

  async function bundle(entry: string, withPlugin: boolean): Promise<string> {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      write: false,
      logLevel: 'silent',
      plugins: withPlugin ? [sdkSchemaKeysPlugin()] : [],
    });
    return result.outputFiles[0]?.text ?? '';
  }

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cordon-schema-keys-'));
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('lets esbuild drop the schemas nothing imports, and keeps registerError calls', async () => {
    const entry = writeClient(
      'client-fake',
      [
        'const _xN = "xmlName";',
        'const registry = { registerError: (schema, ctor) => globalThis.registered = [schema, ctor] };',
        'export var Used$ = [3, "n", "Used", 0, [], [{ [_xN]: "used" }]];',
        'export var Unused$ = [3, "n", "Unused", 0, [], [{ [_xN]: "unusedTrait" }]];',
        'export var Failure$ = [-3, "n", "Failure", 0, [], [{ [_xN]: "failureTrait" }]];',
        'registry.registerError(Failure$, class Failure extends Error {});',
      ].join('\n'),
    );

    const without = await bundle(entry, false);
    const withPlugin = await bundle(entry, true);

    expect(without).toContain('unusedTrait');
    expect(withPlugin).not.toContain('unusedTrait');
    expect(withPlugin).toContain('"xmlName": "used"');
    expect(withPlugin).toContain('failureTrait');
    expect(withPlugin).toContain('class Failure extends Error');
  });

  it('loads a module it cannot parse untouched, saying so on stderr only', async () => {
    // esbuild parses decorators; acorn does not.
    const entry = writeClient(
      'client-decorated',
      'const _xN = "xmlName";\nconst d = (c) => c;\n@d class K {}\nexport var Used$ = [{ [_xN]: 1 }, K];\n',
    );
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write');
    try {
      const code = await bundle(entry, true);

      expect(code).toContain('[_xN]: 1');
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/client-decorated.*loaded untouched/);
      expect(stdout).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
  });
});
