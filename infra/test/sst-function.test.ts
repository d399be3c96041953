/**
 * The deploy-time function factory, run for every function of the deployment against a recording stand-in for
 * `sst.aws.Function` (the real one calls back into the SST CLI to bundle), and the plugins file it names,
 * loaded the way SST 4.17.1 loads it: its Go side starts `node .sst/platform/functions/nodejs-runtime/plugin.mjs
 * <cwd>/<plugins>` from the project root and exchanges one JSON line per resolve/load with it.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pulumi from '../../.sst/platform/node_modules/@pulumi/pulumi/index.js';
import { deployConfig } from '../config.ts';
import { FUNCTIONS } from '../functions.ts';
import { NODEJS_BUNDLING } from '../lambda.ts';
import { sstFunction } from '../sst-function.ts';
import { ACCOUNT, deployUnderMocks, REGION } from './harness.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SST_PLUGIN_HOST = '.sst/platform/functions/nodejs-runtime/plugin.mjs';
const EC2_SCHEMAS = join(ROOT, 'node_modules/@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js');

interface MadeFunction {
  readonly name: string;
  readonly args: {
    readonly name: string;
    readonly nodejs: unknown;
    readonly runtime: unknown;
    readonly transform: { function(args: Record<string, unknown>): void };
  };
}

const made: MadeFunction[] = [];

/** Records what Cordon asks of `sst.aws.Function`, and answers with the outputs Cordon reads. */
class RecordingFunction {
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: MadeFunction['args']) {
    made.push({ name, args });
    this.arn = pulumi.output(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:${args.name}`);
    this.name = pulumi.output(args.name);
    this.url = pulumi.output(`https://${args.name}.lambda-url.example/`);
  }
}

beforeAll(async () => {
  // SST's global, as its shim provides it at deploy time. globalThis has no index signature for it.
  (globalThis as unknown as Record<string, unknown>).sst = { aws: { Function: RecordingFunction } };
  await deployUnderMocks(deployConfig('test', {}), sstFunction);
});

describe('sstFunction', () => {
  it('bundles every function with the plugins file', () => {
    expect(made.map((fn) => fn.args.name).sort()).toEqual(
      FUNCTIONS.map((spec) => `cordon-test-${spec.id}`).sort(),
    );
    for (const fn of made) {
      expect(fn.args.nodejs, fn.name).toEqual({
        format: 'esm',
        minify: true,
        sourcemap: true,
        plugins: 'packages/functions/bundling/plugins.mjs',
        esbuild: { target: 'node24' },
      });
    }
  });

  it('names the Lambda runtime on every function: Node.js 24, what the tests run on', () => {
    expect(made).toHaveLength(FUNCTIONS.length);
    for (const fn of made) expect(fn.args.runtime, fn.name).toBe('nodejs24.x');
    expect(Number(process.versions.node.split('.')[0])).toBe(24);
  });

  it('turns on active tracing for every function', () => {
    for (const fn of made) {
      const args: Record<string, unknown> = {};
      fn.args.transform.function(args);

      expect(args.tracingConfig, fn.name).toEqual({ mode: 'Active' });
    }
  });

  it('names the plugins file relative to the project root, where the SST CLI runs', () => {
    expect(isAbsolute(NODEJS_BUNDLING.plugins)).toBe(false);
    expect(existsSync(join(ROOT, 'sst.config.ts'))).toBe(true);
    expect(existsSync(join(ROOT, NODEJS_BUNDLING.plugins))).toBe(true);
  });
});

describe("the plugins file in SST's plugin host", () => {
  let host: ChildProcessWithoutNullStreams;
  const replies = new Map<number, (value: Record<string, unknown>) => void>();
  let next = 0;

  /** One request as SST's Go side sends it; the reply's `value` is what it decodes. */
  function ask(
    command: 'resolve' | 'load',
    value: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const id = next;
    next += 1;
    return new Promise((answer) => {
      replies.set(id, answer);
      host.stdin.write(`${JSON.stringify({ id, command, value })}\n`);
    });
  }

  beforeAll(() => {
    host = spawn(process.execPath, [SST_PLUGIN_HOST, join(ROOT, NODEJS_BUNDLING.plugins)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
    });
    createInterface({ input: host.stdout }).on('line', (line) => {
      const reply = JSON.parse(line) as { id: number; value: Record<string, unknown> };
      replies.get(reply.id)?.(reply.value);
    });
  });

  afterAll(async () => {
    host.stdin.end();
    if (host.exitCode === null) await new Promise((done) => host.once('exit', done));
  });

  it('is the host SST 4.17.1 ships', () => {
    expect(existsSync(join(ROOT, SST_PLUGIN_HOST))).toBe(true);
  });

  it('rewrites the EC2 schema module, answering only with fields SST decodes', async () => {
    const value = await ask('load', {
      path: EC2_SCHEMAS,
      namespace: 'file',
      suffix: '',
      pluginData: null,
      with: {},
    });

    expect(Object.keys(value).sort()).toEqual(['contents', 'loader']);
    expect(value.loader).toBe('js');
    expect(value.contents).toContain('{ "ec2QueryName": `Min`,');
    expect(value.contents).not.toContain('[_xN]:');
  });

  /**
   * SST's Go side of the host (pkg/runtime/node/plugin.go) in JavaScript: every resolution and every load
   * goes to the host, and the fields it answers with go back to esbuild.
   */
  const sstBridge: Plugin = {
    name: 'nodejs-plugin',
    setup(bridge) {
      bridge.onResolve({ filter: /.*/ }, async (args) => {
        const value = await ask('resolve', {
          path: args.path,
          importer: args.importer,
          namespace: args.namespace,
          resolveDir: args.resolveDir,
          kind: args.kind,
          pluginData: null,
          with: args.with,
        });
        return typeof value.path === 'string' ? { path: value.path } : undefined;
      });
      bridge.onLoad({ filter: /.*/ }, async (args) => {
        const value = await ask('load', {
          path: args.path,
          namespace: args.namespace,
          suffix: args.suffix,
          pluginData: null,
          with: args.with,
        });
        return typeof value.contents === 'string' ? { contents: value.contents, loader: 'js' } : undefined;
      });
    },
  };

  it('trims the EC2 schemas of a handler bundled the way SST bundles it', async () => {
    // SST's options (pkg/runtime/node/build.go) with Cordon's NODEJS_BUNDLING; the banner is left out.
    const result = await build({
      entryPoints: [join(ROOT, 'packages/functions/src/handlers/actions/contain-instance.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      mainFields: ['module', 'main'],
      keepNames: true,
      minify: true,
      write: false,
      outfile: '/sst-bundle/contain-instance.mjs',
      metafile: true,
      logLevel: 'silent',
      plugins: [sstBridge],
    });
    const inputs = Object.values(result.metafile.outputs).flatMap((output) => Object.entries(output.inputs));
    const ec2Schemas = inputs.find(([path]) => path.endsWith('client-ec2/dist-es/schemas/schemas_0.js'));

    expect(ec2Schemas?.[1].bytesInOutput).toBeGreaterThan(0);
    expect(ec2Schemas?.[1].bytesInOutput).toBeLessThan(100 * 1024);
  });

  it('leaves every other module and every resolution to esbuild', async () => {
    const load = await ask('load', {
      path: join(ROOT, 'node_modules/@aws-sdk/client-ec2/dist-es/EC2Client.js'),
      namespace: 'file',
      suffix: '',
      pluginData: null,
      with: {},
    });
    const resolved = await ask('resolve', {
      path: '@aws-sdk/client-ec2',
      importer: join(ROOT, 'packages/functions/src/handlers/actions/contain-instance.ts'),
      namespace: 'file',
      resolveDir: join(ROOT, 'packages/functions/src/handlers/actions'),
      kind: 'import-statement',
      pluginData: null,
      with: {},
    });

    expect(load).toEqual({});
    expect(resolved).toEqual({});
  });
});
