import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { ACTIONS, type ActionId } from '../packages/core/src/actions/catalog.ts';
// The deployment's own plugins file (SST's `nodejs.plugins`, infra/sst-function.ts): the bench builds like SST.
import plugins from '../packages/functions/bundling/plugins.mjs';
import { formatBytes, median, progress, type SectionReport, table, verdictMark } from './support.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HANDLERS_DIR = join(ROOT, 'packages', 'functions', 'src', 'handlers');
const RUNS = 7;
const TARGET_BYTES = 1024 * 1024;
const TARGET_OVER_EMPTY_MS = 200;

/** Dummy values for every variable a handler reads when it is constructed; none is ever used to call AWS. */
const HANDLER_ENVIRONMENT: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'cordon-bench',
  AWS_ACCESS_KEY_ID: 'AKIABENCH00000000000',
  AWS_SECRET_ACCESS_KEY: 'bench',
  CORDON_STAGE: 'bench',
  CORDON_LEDGER_TABLE: 'cordon-ledger',
  CORDON_APPROVALS_TABLE: 'cordon-approvals',
  CORDON_STATE_MACHINES: '{}',
  CORDON_SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:cordon-notifications',
  CORDON_APPROVAL_URL: 'https://approvals.example.com',
  CORDON_TRIAGE_FUNCTION: 'cordon-triage',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

/**
 * ESM bundles that contain CommonJS modules (parts of the SDK and Powertools) need `require` for Node
 * built-ins; this banner is what SST and the Powertools docs add for the same reason.
 */
const REQUIRE_BANNER =
  "import { createRequire as __cordonCreateRequire } from 'node:module'; const require = __cordonCreateRequire(import.meta.url);";

/** IAM service prefix of each SDK client, to tell which clients an action never calls. */
const CLIENT_SERVICE: Readonly<Record<string, string>> = {
  'client-ec2': 'ec2',
  'client-iam': 'iam',
  'client-auto-scaling': 'autoscaling',
  'client-elastic-load-balancing': 'elasticloadbalancing',
  'client-elastic-load-balancing-v2': 'elasticloadbalancing',
  'client-sns': 'sns',
};

interface BundleFacts {
  readonly name: string;
  /** Path under handlers/, without the extension: `actions/contain-instance`. */
  readonly label: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Which zod the bundle carries: `zod (classic)`, `zod/mini`, both while code moves, or `zod (core)`. */
  readonly zod: readonly string[];
  readonly xray: boolean;
  readonly clients: readonly string[];
  readonly unusedClients: readonly string[];
  readonly biggest: readonly string[];
  /** Bytes each package contributes to the bundle's output. */
  readonly packageBytes: ReadonlyMap<string, number>;
}

function handlerEntries(): string[] {
  return readdirSync(HANDLERS_DIR, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(HANDLERS_DIR, name))
    .sort();
}

/** `node_modules/@aws-sdk/client-ec2/dist-es/…` → `@aws-sdk/client-ec2`. */
function packageOf(path: string): string | undefined {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path.slice(path.lastIndexOf('node_modules/')));
  return match?.[1];
}

/** Bytes each package contributes to the bundle's output, biggest first. */
function packageSizes(metafile: Metafile): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const name = packageOf(path) ?? (path.includes('packages/') ? '(cordon)' : '(other)');
      sizes.set(name, (sizes.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return new Map([...sizes].sort(([, a], [, b]) => b - a));
}

/** Tells the classic API (`zod`, inputs under `zod/v4/classic/`) from `zod/mini` (under `zod/v4/mini/`). */
function zodFlavours(metafile: Metafile): string[] {
  const paths = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
  const zod = paths.filter((path) => packageOf(path) === 'zod');
  if (zod.length === 0) return [];
  const flavours = [
    zod.some((path) => path.includes('zod/v4/classic/')) ? 'zod (classic)' : '',
    zod.some((path) => path.includes('zod/v4/mini/')) ? 'zod/mini' : '',
  ].filter(Boolean);
  return flavours.length > 0 ? flavours : ['zod (core)'];
}

function unusedClientsOf(name: string, clients: readonly string[]): string[] {
  const action = (Object.keys(ACTIONS) as ActionId[]).find((id) => id === name);
  if (action === undefined) return [];
  const used = new Set(
    ACTIONS[action].permissions.flatMap((permission) => permission.actions.map((iam) => iam.split(':')[0])),
  );
  return clients.filter((client) => {
    const service = CLIENT_SERVICE[client];
    return service !== undefined && !used.has(service);
  });
}

async function bundle(entry: string, outdir: string): Promise<BundleFacts> {
  const name = basename(entry, '.ts');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    // Everything is bundled, the SDK included: the SDK in the Lambda runtime is not the version we test.
    external: [],
    banner: { js: REQUIRE_BANNER },
    outfile: join(outdir, `${name}.mjs`),
    metafile: true,
    logLevel: 'silent',
    plugins,
  });
  const file = join(outdir, `${name}.mjs`);
  const code = readFileSync(file);
  const sizes = packageSizes(result.metafile);
  const packages = [...sizes.keys()];
  const clients = packages
    .filter((pkg) => pkg.startsWith('@aws-sdk/client-'))
    .map((pkg) => pkg.slice('@aws-sdk/'.length));
  return {
    name,
    label: relative(HANDLERS_DIR, entry).replace(/\.ts$/, ''),
    file,
    bytes: code.byteLength,
    gzipBytes: gzipSync(code).byteLength,
    zod: zodFlavours(result.metafile),
    xray: packages.includes('aws-xray-sdk-core'),
    clients,
    unusedClients: unusedClientsOf(name, clients),
    biggest: [...sizes].slice(0, 4).map(([pkg, bytes]) => `${pkg} ${formatBytes(bytes)}`),
    packageBytes: sizes,
  };
}

/** Whole-process time of `node -e <script>`, in ms; fails loudly when the import throws. */
function timeProcess(script: string): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...HANDLER_ENVIRONMENT },
    encoding: 'utf8',
  });
  const elapsed = performance.now() - started;
  if (child.status !== 0) throw new Error(`node -e failed (${child.status}): ${child.stderr.slice(0, 400)}`);
  return elapsed;
}

/**
 * CPU time (user + system, ms) a whole `node -e <script>` process used: unlike wall time, other processes on
 * a busy machine barely move it. The script's last line of output is the process's own `process.cpuUsage()`.
 */
function cpuOfProcess(script: string): number {
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `${script}; const u = process.cpuUsage(); console.log((u.user + u.system) / 1000);`,
    ],
    { env: { PATH: process.env.PATH ?? '', ...HANDLER_ENVIRONMENT }, encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`node -e failed (${child.status}): ${child.stderr.slice(0, 400)}`);
  return Number(child.stdout.trim().split('\n').at(-1));
}

export async function coldStartSection(): Promise<SectionReport> {
  const outdir = mkdtempSync(join(tmpdir(), 'cordon-bench-'));
  try {
    const entries = handlerEntries();
    progress(`cold start: bundling ${entries.length} handlers`);
    const bundles: BundleFacts[] = [];
    for (const entry of entries) bundles.push(await bundle(entry, outdir));

    // Interleaved, one process of each per round: drift on a noisy machine hits every bundle alike.
    const times = new Map<string, number[]>([
      ['(empty)', []],
      ...bundles.map((b): [string, number[]] => [b.name, []]),
    ]);
    const scripts = new Map<string, string>([
      ['(empty)', ''],
      ...bundles.map((b): [string, string] => [
        b.name,
        // Importing evaluates `export const handler = create…()`: the handler is constructed.
        `const m = await import(${JSON.stringify(pathToFileURL(b.file).href)}); if (typeof m.handler !== 'function') throw new Error('no handler');`,
      ]),
    ]);
    for (let run = 0; run < RUNS; run += 1) {
      progress(`cold start: round ${run + 1} of ${RUNS}`);
      for (const [name, script] of scripts) times.get(name)?.push(timeProcess(script));
    }
    const empty = median(times.get('(empty)') ?? []);

    const rows = bundles.map((b) => {
      const total = median(times.get(b.name) ?? []);
      const over = total - empty;
      return {
        b,
        over,
        cells: [
          b.label,
          formatBytes(b.bytes),
          formatBytes(b.gzipBytes),
          `${Math.round(total)} ms`,
          `${Math.round(over)} ms`,
          `${b.bytes <= TARGET_BYTES ? '✓' : '✗'} / ${over <= TARGET_OVER_EMPTY_MS ? '✓' : '✗'}`,
          [...b.zod, b.xray ? 'aws-xray-sdk-core' : ''].filter(Boolean).join(', ') || '—',
          b.unusedClients.join(', ') || '—',
        ],
      };
    });
    const sizeMet = bundles.every((b) => b.bytes <= TARGET_BYTES);
    const timeMet = rows.every((row) => row.over <= TARGET_OVER_EMPTY_MS);
    const worstSize = Math.max(...bundles.map((b) => b.bytes));
    const worstOver = Math.max(...rows.map((row) => row.over));
    const example = bundles.find((b) => b.name === 'contain-instance') ?? bundles[0];
    // The approval API's routing library (docs/architecture.md says why Hono): its share of the bundle.
    const approvalApi = bundles.find((b) => b.name === 'approval-api');
    const approvalApiRow = rows.find((row) => row.b.name === 'approval-api');
    const router = approvalApi?.packageBytes.get('hono');
    // The approval API's import in CPU time too (its routing library was chosen on this figure and its size).
    const cpu = { empty: [] as number[], approvalApi: [] as number[] };
    const approvalApiScript = scripts.get('approval-api');
    if (approvalApiScript !== undefined) {
      progress('cold start: the approval API in CPU time');
      for (let run = 0; run < RUNS; run += 1) {
        cpu.empty.push(cpuOfProcess(''));
        cpu.approvalApi.push(cpuOfProcess(approvalApiScript));
      }
    }

    const markdown = [
      '### Method',
      '',
      `Every entry point under \`packages/functions/src/handlers/**\` (${bundles.length}) is bundled with esbuild: \`bundle\`, \`format: 'esm'\`, \`platform: 'node'\`, \`target: 'node24'\`, \`mainFields: ['module','main']\`, \`minify\`, nothing external (the AWS SDK is bundled: the runtime's SDK is not the version Cordon is tested with), a \`createRequire\` banner for the CommonJS parts, and the deployment's esbuild plugins (\`packages/functions/bundling/plugins.mjs\`, which SST's \`nodejs.plugins\` names too: the SDK schema modules' computed keys become literal keys, so the schemas a bundle does not use are dropped), written to a temp dir. Sizes are the bundle's bytes and its gzip (level 6) bytes. Cold start is the whole-process wall time of \`node --input-type=module -e "await import(bundle)"\` (which evaluates \`export const handler = create…()\`, so the handler and its clients are constructed), with the handlers' environment variables set to dummy values, median of ${RUNS} runs; the ${RUNS} runs of every bundle and of an empty \`node -e ""\` are interleaved in one run. Node ${process.version}; the empty process took **${Math.round(empty)} ms** (median).`,
      '',
      table(
        [
          'Handler',
          'Bundle',
          'gzip',
          'Import + construct',
          'Over empty Node',
          '≤ 1 MiB / ≤ 200 ms',
          'Pulls in',
          'Clients the action never calls',
        ],
        rows.map((row) => row.cells),
      ),
      '',
      `Biggest contributors to \`${example?.name}\`: ${example?.biggest.join(', ')}. SDK clients in it: ${example?.clients.join(', ')}.`,
      '',
      approvalApi === undefined || approvalApiRow === undefined
        ? ''
        : `The approval API (\`approval-api\`) is one Hono app served by \`hono/aws-lambda\`: ${formatBytes(approvalApi.bytes)} (${formatBytes(approvalApi.gzipBytes)} gzip), of which Hono is ${router === undefined ? 'absent (not bundled?)' : formatBytes(router)}; ${Math.round(approvalApiRow.over)} ms over an empty Node process in wall time, and ${(median(cpu.approvalApi) - median(cpu.empty)).toFixed(0)} ms in CPU time (user + system, which a busy machine barely moves; empty Node ${median(cpu.empty).toFixed(0)} ms, median of ${RUNS}). Its biggest contributors: ${approvalApi.biggest.join(', ')}.`,
      '',
      `Targets: ≤ 1 MiB per bundle — ${verdictMark(sizeMet)} (largest ${formatBytes(worstSize)}); ≤ ${TARGET_OVER_EMPTY_MS} ms over an empty Node process — ${verdictMark(timeMet)} (worst ${Math.round(worstOver)} ms).`,
    ].join('\n');

    return {
      title: '2. Cold start',
      markdown,
      verdicts: [
        { target: 'bundle ≤ 1 MiB', met: sizeMet, figure: `largest ${formatBytes(worstSize)}` },
        {
          target: `import + construct ≤ ${TARGET_OVER_EMPTY_MS} ms over empty Node`,
          met: timeMet,
          figure: `worst +${Math.round(worstOver)} ms (empty Node ${Math.round(empty)} ms)`,
        },
      ],
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
