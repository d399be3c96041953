// @ts-check
/**
 * Makes an esbuild plugin work in SST's plugin host as well as in esbuild itself.
 *
 * SST (4.17.1) runs `nodejs.plugins` in `.sst/platform/functions/nodejs-runtime/plugin.mjs`, which tests each
 * registered filter against `msg.path`; its own protocol puts the path in `msg.value.path`, so every filter is
 * tested against the string "undefined" and a plugin with a real filter is never called (reported in
 * anomalyco/sst#4514; the shipped host still has it). The wrapped plugin's filters therefore also match
 * exactly "undefined" — never a real path, which esbuild always gives absolute — and each callback applies the
 * plugin's own filter (and namespace) to `args.path` before running. Under esbuild the plugin behaves as
 * before; under SST's host it is called for every module and answers only for its own.
 */

/**
 * @template {{ path: string, namespace: string }} Args
 * @template Result
 * @param {{ filter: RegExp, namespace?: string }} options
 * @param {(args: Args) => Result} callback
 * @returns {[{ filter: RegExp, namespace?: string }, (args: Args) => Result | undefined]}
 */
function widened(options, callback) {
  const { filter, namespace } = options;
  return [
    { ...options, filter: new RegExp(`^undefined$|${filter.source}`, filter.flags) },
    (args) => {
      filter.lastIndex = 0;
      if (!filter.test(args.path)) return undefined;
      if (namespace !== undefined && args.namespace !== namespace) return undefined;
      return callback(args);
    },
  ];
}

/**
 * @example
 * export default [forSstPluginHost(sdkSchemaKeysPlugin())]; // a plugins file SST's `nodejs.plugins` names
 *
 * @param {import('esbuild').Plugin} plugin
 * @returns {import('esbuild').Plugin}
 */
export function forSstPluginHost(plugin) {
  return {
    name: plugin.name,
    setup(build) {
      /** @type {import('esbuild').PluginBuild['onLoad']} */
      const onLoad = (options, callback) => build.onLoad(...widened(options, callback));
      /** @type {import('esbuild').PluginBuild['onResolve']} */
      const onResolve = (options, callback) => build.onResolve(...widened(options, callback));
      /** @type {import('esbuild').PluginBuild} */
      const wrapped = Object.create(build, { onLoad: { value: onLoad }, onResolve: { value: onResolve } });
      return plugin.setup(wrapped);
    },
  };
}
