// @ts-check
/**
 * The esbuild plugins every Lambda bundle is built with. SST's `nodejs.plugins` names this file
 * (infra/lambda.ts `NODEJS_BUNDLING`) and the cold-start bench imports it, so the bench builds like the
 * deployment.
 *
 * SST imports this file with the deployer's plain `node` (its `.sst/platform/functions/nodejs-runtime/plugin.mjs`
 * host, started from the repository root), so it must be JavaScript, export the list as `default`, and its
 * plugins may only call `onResolve`, `onLoad` and `onEnd` in `setup`: the host offers nothing else. Each plugin
 * is wrapped by `forSstPluginHost`, without which that host never calls it (see sst-plugin-host.mjs).
 */
import { sdkSchemaKeysPlugin } from './sdk-schema-keys.mjs';
import { forSstPluginHost } from './sst-plugin-host.mjs';

/** @type {import('esbuild').Plugin[]} */
export default [forSstPluginHost(sdkSchemaKeysPlugin())];
