import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type OnLoadArgs, type OnLoadOptions, type OnLoadResult, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forSstPluginHost } from '../../bundling/sst-plugin-host.mjs';

type LoadCallback = (args: OnLoadArgs) => OnLoadResult | undefined | Promise<OnLoadResult | undefined>;

/** Loads `*.answer` files as `export default 42`. */
const answerPlugin: Plugin = {
  name: 'answer',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.answer$/, namespace: 'file' }, () => ({
      contents: 'export default 42;',
      loader: 'js',
    }));
  },
};

/** What SST's host does with a plugin: records its registrations, then tests each filter against `msg.path`. */
function registrations(plugin: Plugin): Array<{ options: OnLoadOptions; callback: LoadCallback }> {
  const found: Array<{ options: OnLoadOptions; callback: LoadCallback }> = [];
  const stub = {
    onLoad: (options: OnLoadOptions, callback: LoadCallback) => found.push({ options, callback }),
    onResolve: () => undefined,
    onEnd: () => undefined,
  };
  // The host hands plugins this three-method stub, not esbuild's PluginBuild.
  void plugin.setup(stub as unknown as Parameters<Plugin['setup']>[0]);
  return found;
}

const SST_MESSAGE_PATH = undefined; // `msg.path` in the host: its protocol never sets it.

describe('forSstPluginHost', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cordon-sst-host-'));
    writeFileSync(join(root, 'life.answer'), 'not javascript');
    writeFileSync(join(root, 'entry.js'), "import life from './life.answer';\nconsole.log(life);\n");
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('leaves the plugin as it was under esbuild', async () => {
    const bundle = async (plugin: Plugin) =>
      (await build({ entryPoints: [join(root, 'entry.js')], bundle: true, write: false, plugins: [plugin] }))
        .outputFiles[0]?.text;

    const wrapped = await bundle(forSstPluginHost(answerPlugin));

    expect(wrapped).toContain('42');
    expect(wrapped).toBe(await bundle(answerPlugin));
  });

  it('gets the plugin called by a host that tests filters against "undefined"', () => {
    const [plain] = registrations(answerPlugin);
    const [wrapped] = registrations(forSstPluginHost(answerPlugin));

    expect(new RegExp(plain?.options.filter ?? '').test(String(SST_MESSAGE_PATH))).toBe(false);
    expect(new RegExp(wrapped?.options.filter ?? '').test(String(SST_MESSAGE_PATH))).toBe(true);
  });

  it('answers only for the paths and namespace the plugin asked for', async () => {
    const [wrapped] = registrations(forSstPluginHost(answerPlugin));
    const args = (path: string, namespace = 'file'): OnLoadArgs => ({
      path,
      namespace,
      suffix: '',
      pluginData: undefined,
      with: {},
    });

    expect(await wrapped?.callback(args('/app/life.answer'))).toEqual({
      contents: 'export default 42;',
      loader: 'js',
    });
    expect(await wrapped?.callback(args('/app/index.js'))).toBeUndefined();
    expect(await wrapped?.callback(args('undefined'))).toBeUndefined();
    expect(await wrapped?.callback(args('/app/life.answer', 'virtual'))).toBeUndefined();
  });
});
