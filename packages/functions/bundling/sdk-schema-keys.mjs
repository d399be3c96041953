// @ts-check
/**
 * An esbuild plugin that lets esbuild tree-shake the AWS SDK's generated schema modules.
 *
 * Why: `@aws-sdk/client-*` `dist-es/schemas/schemas_0.js` builds every shape as an array literal whose trait
 * objects use computed keys naming a module-level string constant (`const _xN = "xmlName"; … { [_xN]: _TSa }`).
 * esbuild treats a computed key as a possible side effect (it could call `toString` on an object), so it keeps
 * every statement of the module: the whole EC2 schema (~550 KiB minified) lands in a bundle that sends one
 * command (aws/aws-sdk-js-v3#7607; the generator fix, smithy-lang/smithy-typescript#1889, is still open, so
 * the clients Cordon pins do not have it). Once they do, this plugin rewrites nothing and can go.
 *
 * What: on load, each `[name]` key whose `name` is a top-level `const name = "literal"` of the same module is
 * replaced by that literal (`{ "xmlName": _TSa }`); every other byte of the module is left as it was. Nothing
 * else changes: `registerError` calls stay (they are real side effects, and error names are how Cordon tells
 * errors apart), so do array elements (`[_R]`), member accesses (`a[_x]`), class members, destructuring, and
 * any name that is declared more than once in the module (a shadowing binding could mean something else).
 *
 * Must stay plain JavaScript with no dependency but `acorn`: SST loads the plugins file with the deployer's
 * `node` (see `plugins.mjs`), without a TypeScript loader.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'acorn';

/**
 * The generated schema modules of the SDK clients (and of the nested clients the credential providers use),
 * with either path separator. Written so that both esbuild (Go regexp) and SST's plugin host (`new RegExp`)
 * read it the same way.
 */
export const SCHEMA_MODULE_FILTER =
  /[\\/]@aws-sdk[\\/](?:client-[^\\/]+[\\/]dist-es|nested-clients[\\/]dist-es[\\/]submodules[\\/][^\\/]+)[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * A literal key would mean something else for this one: `{ "__proto__": v }` sets the prototype, while
 * `{ ["__proto__"]: v }` makes an own property.
 */
const PROTO = '__proto__';

/**
 * @typedef {import('acorn').Node & Record<string, unknown>} AnyNode
 * @typedef {{ start: number, end: number, text: string }} Edit
 */

/**
 * @param {unknown} value
 * @returns {value is AnyNode}
 */
function isNode(value) {
  return (
    typeof value === 'object' && value !== null && typeof (/** @type {AnyNode} */ (value).type) === 'string'
  );
}

/**
 * Every node of the tree, parents first; iterative, since the EC2 schema nests deep enough and is big enough
 * (about a million nodes) for recursion to cost.
 *
 * @param {AnyNode} root
 * @param {(node: AnyNode) => void} visit
 */
function walk(root, visit) {
  /** @type {AnyNode[]} */
  const stack = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    visit(node);
    for (const key in node) {
      const child = node[key];
      if (Array.isArray(child)) {
        for (let index = child.length - 1; index >= 0; index -= 1) {
          const item = child[index];
          if (isNode(item)) stack.push(item);
        }
      } else if (isNode(child)) {
        stack.push(child);
      }
    }
  }
}

/**
 * Names a binding pattern declares (`a`, `{ b, c: d }`, `[e, ...f]`, `g = 1`).
 *
 * @param {AnyNode | null | undefined} pattern
 * @param {(name: string) => void} add
 */
function patternNames(pattern, add) {
  if (pattern === null || pattern === undefined) return;
  switch (pattern.type) {
    case 'Identifier':
      add(/** @type {string} */ (pattern.name));
      return;
    case 'ObjectPattern':
      for (const property of /** @type {AnyNode[]} */ (pattern.properties)) {
        patternNames(
          /** @type {AnyNode} */ (property.type === 'RestElement' ? property.argument : property.value),
          add,
        );
      }
      return;
    case 'ArrayPattern':
      for (const element of /** @type {Array<AnyNode | null>} */ (pattern.elements))
        patternNames(element, add);
      return;
    case 'AssignmentPattern':
      patternNames(/** @type {AnyNode} */ (pattern.left), add);
      return;
    case 'RestElement':
      patternNames(/** @type {AnyNode} */ (pattern.argument), add);
      return;
    default:
      // MemberExpression targets (`[a.b] = …`) bind nothing.
      return;
  }
}

/**
 * Counts a node's declarations into `add`, for the kinds of node that declare names.
 *
 * @param {AnyNode} node
 * @param {(name: string) => void} add
 */
function declarations(node, add) {
  switch (node.type) {
    case 'VariableDeclarator':
      patternNames(/** @type {AnyNode} */ (node.id), add);
      return;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      patternNames(/** @type {AnyNode | null} */ (node.id), add);
      for (const param of /** @type {AnyNode[]} */ (node.params)) patternNames(param, add);
      return;
    case 'ClassDeclaration':
    case 'ClassExpression':
      patternNames(/** @type {AnyNode | null} */ (node.id), add);
      return;
    case 'CatchClause':
      patternNames(/** @type {AnyNode | null} */ (node.param), add);
      return;
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
      patternNames(/** @type {AnyNode} */ (node.local), add);
      return;
    default:
      return;
  }
}

/**
 * The module's own string table: top-level `const name = "literal"` declarators (also inside
 * `export const`, and among other declarators of the same statement).
 *
 * @param {AnyNode} program
 * @returns {Map<string, string>}
 */
function stringConstants(program) {
  /** @type {Map<string, string>} */
  const constants = new Map();
  for (const statement of /** @type {AnyNode[]} */ (program.body)) {
    const declaration =
      statement.type === 'ExportNamedDeclaration'
        ? /** @type {AnyNode | null} */ (statement.declaration)
        : statement;
    if (declaration?.type !== 'VariableDeclaration' || declaration.kind !== 'const') continue;
    for (const declarator of /** @type {AnyNode[]} */ (declaration.declarations)) {
      const id = /** @type {AnyNode} */ (declarator.id);
      const init = /** @type {AnyNode | null} */ (declarator.init);
      if (id.type === 'Identifier' && init?.type === 'Literal' && typeof init.value === 'string') {
        constants.set(/** @type {string} */ (id.name), init.value);
      }
    }
  }
  return constants;
}

/**
 * The position of the bracket around a computed key, or -1 when anything but whitespace stands between
 * (a comment, say): such a key is left alone rather than guessed at.
 *
 * @param {string} source
 * @param {number} from
 * @param {-1 | 1} step
 * @param {'[' | ']'} bracket
 */
function bracketAt(source, from, step, bracket) {
  for (let index = from; index >= 0 && index < source.length; index += step) {
    const char = source[index];
    if (char === bracket) return index;
    if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') return -1;
  }
  return -1;
}

/**
 * Rewrites the computed keys of object literals that name one of the module's string constants into literal
 * keys. Returns the source unchanged (same string) when there is nothing to rewrite.
 *
 * @example
 * literalSchemaKeys('const _xN = "xmlName";\nexport var A$ = [3, { [_xN]: _m }];').code
 * // → 'const _xN = "xmlName";\nexport var A$ = [3, { "xmlName": _m }];'
 *
 * @param {string} source an ES module
 * @returns {{ code: string, rewritten: number }} the module and how many keys were rewritten
 */
export function literalSchemaKeys(source) {
  const program = /** @type {AnyNode} */ (
    /** @type {unknown} */ (parse(source, { ecmaVersion: 'latest', sourceType: 'module' }))
  );
  const constants = stringConstants(program);
  if (constants.size === 0) return { code: source, rewritten: 0 };

  // One pass: how often each name is declared, in any scope, and the computed keys naming a constant.
  /** @type {Map<string, number>} */
  const declared = new Map();
  /** @param {string} name */
  const add = (name) => declared.set(name, (declared.get(name) ?? 0) + 1);
  /** @type {AnyNode[]} */
  const keys = [];
  walk(program, (node) => {
    declarations(node, add);
    if (node.type !== 'ObjectExpression') return;
    for (const property of /** @type {AnyNode[]} */ (node.properties)) {
      if (property.type !== 'Property' || property.computed !== true) continue;
      const key = /** @type {AnyNode} */ (property.key);
      if (key.type === 'Identifier' && constants.has(/** @type {string} */ (key.name))) keys.push(key);
    }
  });

  /** @type {Edit[]} */
  const edits = [];
  for (const key of keys) {
    const name = /** @type {string} */ (key.name);
    const value = constants.get(name);
    // Declared once: the top-level const is the only binding, so `name` means it wherever it appears.
    if (value === undefined || value === PROTO || declared.get(name) !== 1) continue;
    const open = bracketAt(source, key.start - 1, -1, '[');
    const close = bracketAt(source, key.end, 1, ']');
    if (open < 0 || close < 0) continue;
    edits.push({ start: open, end: close + 1, text: JSON.stringify(value) });
  }
  if (edits.length === 0) return { code: source, rewritten: 0 };

  edits.sort((a, b) => a.start - b.start);
  const parts = [];
  let at = 0;
  for (const edit of edits) {
    parts.push(source.slice(at, edit.start), edit.text);
    at = edit.end;
  }
  parts.push(source.slice(at));
  return { code: parts.join(''), rewritten: edits.length };
}

/**
 * The esbuild plugin. On any failure to transform (a generator change acorn cannot parse, say) it loads the
 * module untouched, with a line on stderr: a bigger bundle, never a broken one. It must not print to stdout
 * nor return `errors`/`warnings`: SST's plugin host speaks JSON over stdout and its Go side cannot decode
 * those fields from JavaScript numbers.
 *
 * @returns {import('esbuild').Plugin}
 */
export function sdkSchemaKeysPlugin() {
  /** One transform per module per process: the bench bundles the EC2 schema for every EC2 handler. */
  /** @type {Map<string, { source: string, code: string }>} */
  const cache = new Map();
  return {
    name: 'cordon-sdk-schema-keys',
    setup(build) {
      build.onLoad({ filter: SCHEMA_MODULE_FILTER }, async (args) => {
        try {
          const source = await readFile(args.path, 'utf8');
          const cached = cache.get(args.path);
          if (cached !== undefined && cached.source === source)
            return { contents: cached.code, loader: 'js' };
          const { code } = literalSchemaKeys(source);
          cache.set(args.path, { source, code });
          return { contents: code, loader: 'js' };
        } catch (error) {
          process.stderr.write(
            `cordon-sdk-schema-keys: ${args.path} loaded untouched: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          return undefined;
        }
      });
    },
  };
}
