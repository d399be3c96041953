/**
 * What the Lambda bundles are made of: the handlers built like the deployment (ESM, minified, the
 * deployment's plugins file), one per place that used to construct a Powertools Tracer.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import plugins from '../../bundling/plugins.mjs';

const HANDLERS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'handlers');
/** notify stands for every action (shared/action-handler.ts); the others each built their own Tracer. */
const HANDLERS = ['actions/notify', 'triage', 'poller', 'approval-api', 'request-approval', 'threshold-sync'];

/** Inputs of each handler's bundle. */
let inputsByHandler: Map<string, string[]>;

async function inputsOf(handler: string): Promise<[string, string[]]> {
  const result = await build({
    entryPoints: [join(HANDLERS_DIR, `${handler}.ts`)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    outfile: `/cordon-handler-bundles/${handler}.mjs`,
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins,
  });
  return [handler, Object.values(result.metafile.outputs).flatMap((output) => Object.keys(output.inputs))];
}

beforeAll(async () => {
  inputsByHandler = new Map(await Promise.all(HANDLERS.map(inputsOf)));
}, 60_000);

describe('handler bundles', () => {
  it('carry no X-Ray SDK: traces come from Lambda active tracing, not from the Powertools Tracer', () => {
    for (const handler of HANDLERS) {
      const inputs = inputsByHandler.get(handler) ?? [];
      const tracing = inputs.filter((path) =>
        /node_modules\/(aws-xray-sdk-core|cls-hooked|@aws-lambda-powertools\/tracer)\//.test(path),
      );

      expect(inputs.length, handler).toBeGreaterThan(100);
      expect(tracing, handler).toEqual([]);
    }
  });

  it('carry none of the AGPL IAM packages (iam-simulate is a test oracle only: docs/iam.md)', () => {
    for (const handler of HANDLERS) {
      const inputs = inputsByHandler.get(handler) ?? [];
      const copyleft = inputs.filter((path) =>
        /node_modules\/@cloud-copilot\/(iam-simulate|iam-policy|iam-utils)\//.test(path),
      );

      expect(inputs.length, handler).toBeGreaterThan(100);
      expect(copyleft, handler).toEqual([]);
    }
  });
});
