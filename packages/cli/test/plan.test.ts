import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EVENTS_DIR,
  eventPath,
  listEvents,
  loadEvent,
  loadEventWithAccount,
} from '../../../test/support/events.ts';
import { main } from '../src/main.ts';

interface Captured {
  code: number;
  out: string[];
  err: string[];
}

async function run(...argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

async function planJson(files: string[], ...flags: string[]): Promise<Record<string, unknown>[]> {
  const result = await run('plan', ...files, '--json', ...flags);
  expect(result.code).toBe(0);
  return result.out.map((line) => JSON.parse(line) as Record<string, unknown>);
}

type Outcome = readonly [
  action: 'remediate' | 'notify' | 'ignore',
  playbook: string | null,
  approval: string,
];
interface Expectation {
  /** How the event reaches triage: an EventBridge rule, the poller (a bare finding), or dropped by EventBridge. */
  readonly route: 'eventbridge' | 'poller' | 'dropped';
  readonly category?: string;
  /** Under default settings (samples ignored), then with --include-samples; isolates/revokes: with samples. */
  readonly byDefault?: Outcome;
  readonly withSamples?: Outcome;
  readonly isolates?: boolean;
  readonly revokes?: boolean;
}

/** EventBridge drops it: no deployed rule matches (a configuration change, a shape that is not an event…). */
const DROPPED: Expectation = { route: 'dropped' };

/**
 * An alarm entering ALARM: the deployed rule delivers every alarm, and no key of the default settings'
 * alarmPlaybooks stands for it, so triage records it and starts nothing.
 */
const UNMAPPED_ALARM: Expectation = {
  route: 'eventbridge',
  category: 'suspicious-activity',
  byDefault: ['ignore', null, 'none'],
  withSamples: ['ignore', null, 'none'],
  isolates: false,
  revokes: false,
};

/** One asserted expectation for every real event bundled from ../shared/events. */
const EXPECTED: Readonly<Record<string, Expectation>> = {
  // Alarms entering ALARM that the default settings map to nothing.
  'cloudwatch/eb-alarm-anomaly-detection-docs.json': UNMAPPED_ALARM,
  'cloudwatch/eb-alarm-composite-with-suppressor-docs.json': UNMAPPED_ALARM,
  'cloudwatch/eb-alarm-config-change-create-composite-docs.json': DROPPED,
  'cloudwatch/eb-alarm-config-change-delete-metric-math-docs.json': DROPPED,
  'cloudwatch/eb-alarm-config-change-update-metric-docs.json': DROPPED,
  'cloudwatch/eb-alarm-metric-math-insufficient-to-alarm-docs.json': UNMAPPED_ALARM,
  'cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json': UNMAPPED_ALARM,
  'cloudwatch/lambda-action-composite-alarm-powertools.json': DROPPED,
  'cloudwatch/lambda-action-metric-math-alarm-powertools.json': DROPPED,
  'cloudwatch/sns-alarm-notification-single-metric-rust-runtime.json': DROPPED,
  'config/custom-rule-invocation-configuration-changed-powertools.json': DROPPED,
  'config/custom-rule-invocation-ec2-instance-custodian.json': DROPPED,
  'config/custom-rule-invocation-oversized-powertools.json': DROPPED,
  'config/custom-rule-invocation-scheduled-powertools.json': DROPPED,
  'config/custom-rule-invocation-sg-open-ssh-custodian.json': DROPPED,
  'config/sns-compliance-change-notification-docs.json': DROPPED,
  'config/sns-configuration-item-change-ec2-volume-docs.json': DROPPED,
  'edge-cases/cloudwatch-hybrid-envelope-with-alarmData-rust-runtime.json': DROPPED,
  'edge-cases/cloudwatch-lambda-action-spaces-in-timestamps-rust-runtime.json': DROPPED,
  'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json': {
    route: 'eventbridge',
    category: 'instance-compromise',
    byDefault: ['ignore', null, 'none'],
    withSamples: ['remediate', 'ec2-compromise', 'required'],
    isolates: true,
    revokes: false,
  },
  'guardduty/eb-iam-toripcaller-custodian.json': {
    route: 'eventbridge',
    category: 'credential-compromise',
    byDefault: ['ignore', null, 'none'],
    withSamples: ['remediate', 'credential-compromise', 'required'],
    isolates: false,
    revokes: true,
  },
  // PascalCase under `detail`: the SDK's casing, which EventBridge never delivers (`detail.severity` is absent).
  'guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json': DROPPED,
  'guardduty/eb-pascalcase-iam-credentialaccess-anomalous-4-enis.json': DROPPED,
  'guardduty/eb-pascalcase-rds-discovery-toripcaller.json': DROPPED,
  'guardduty/eb-pascalcase-root-credential-usage-placeholders.json': DROPPED,
  'guardduty/raw-attacksequence-iam-compromised-credentials-panther.json': {
    route: 'poller',
    category: 'credential-compromise',
    byDefault: ['notify', 'notify-only', 'none'],
    withSamples: ['notify', 'notify-only', 'none'],
    revokes: false,
  },
  'guardduty/raw-attacksequence-s3-compromised-data-sample-panther.json': {
    route: 'poller',
    category: 'data-threat',
    byDefault: ['ignore', null, 'none'],
    withSamples: ['notify', 'notify-only', 'none'],
  },
  'guardduty/raw-canary-ec2-stateless-integtest-epoch-launchtime.json': {
    route: 'poller',
    category: 'suspicious-activity',
    byDefault: ['ignore', null, 'none'],
    withSamples: ['ignore', null, 'none'],
    isolates: false,
  },
  'guardduty/raw-iam-privesc-administrative-permissions-no-resource-panther.json': {
    route: 'poller',
    category: 'credential-compromise',
    byDefault: ['notify', 'notify-only', 'none'],
    withSamples: ['notify', 'notify-only', 'none'],
    revokes: false,
  },
  'guardduty/raw-iam-recon-maliciousipcaller-custom.json': {
    // A sample, and archived (service.archived: true): ignored even with samples included.
    route: 'poller',
    category: 'credential-compromise',
    byDefault: ['ignore', null, 'none'],
    withSamples: ['ignore', null, 'none'],
    isolates: false,
    revokes: false,
  },
  'guardduty/raw-s3-pentest-parrotlinux.json': {
    // A sample, and archived: ignored even with samples included.
    route: 'poller',
    category: 'data-threat',
    byDefault: ['ignore', null, 'none'],
    withSamples: ['ignore', null, 'none'],
  },
  'securityhub/asff-guardduty-ssh-bruteforce-count74-docs.json': DROPPED,
  'securityhub/eb-securityhub-custom-action-guardduty-consolelogin-asff.json': DROPPED,
  'securityhub/placebo-getfindings-5-guardduty-iam-asff.json': DROPPED,
};

const CONTAINMENT_STEPS = ['contain-instance', 'deregister-from-load-balancers'];
const REVOCATION_STEPS = ['deactivate-access-key', 'revoke-sessions', 'disable-console-access'];

describe('cordon plan over every real event', () => {
  const files = listEvents();

  it('has an asserted expectation for every bundled event, and nothing else', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each([
    ['default settings', [] as string[], 'byDefault' as const],
    ['--include-samples', ['--include-samples'], 'withSamples' as const],
  ])('plans each event as expected under %s', async (_label, flags, key) => {
    const results = await planJson(files.map(eventPath), ...flags);
    expect(results.map((result) => result.file)).toEqual(files.map(eventPath));
    results.forEach((result, index) => {
      const name = files[index] ?? '';
      const expected = EXPECTED[name] ?? DROPPED;
      const outcome = expected[key];
      const context = `${name} (${key})`;
      const route = result.route as { outcome: string; via: string; reason?: string };
      if (expected.route === 'dropped') {
        expect(route, context).toMatchObject({ outcome: 'dropped', via: 'eventbridge' });
        expect(result.accepted, context).toBe(false);
        expect(result.reason, context).toMatch(/^EventBridge drops it \(no rule matches\): /);
        expect(result.incident, context).toBeNull();
        expect(result.decision, context).toBeNull();
        return;
      }
      expect(route, context).toMatchObject({ outcome: 'delivered', via: expected.route });
      expect(result.accepted, context).toBe(true);
      const incident = result.incident as { category: string };
      const decision = result.decision as {
        action: string;
        playbook: string | null;
        approval: string;
        steps: string[];
      };
      expect(incident.category, context).toBe(expected.category);
      expect([decision.action, decision.playbook, decision.approval], context).toEqual([...(outcome ?? [])]);
      const acts = decision.steps.some((step) => [...CONTAINMENT_STEPS, ...REVOCATION_STEPS].includes(step));
      if (decision.action !== 'remediate') expect(acts, `${context} acts without remediating`).toBe(false);
      if (key === 'byDefault') return;
      if (expected.isolates !== undefined) {
        const isolates = decision.steps.some((step) => CONTAINMENT_STEPS.includes(step));
        expect(isolates, `${context} isolation steps`).toBe(expected.isolates);
      }
      if (expected.revokes !== undefined) {
        const revokes = decision.steps.some((step) => REVOCATION_STEPS.includes(step));
        expect(revokes, `${context} revocation steps`).toBe(expected.revokes);
      }
    });
  });
});

describe('cordon plan', () => {
  it('prints one JSON object per file with the documented fields', async () => {
    const [result] = await planJson(
      [eventPath('guardduty/eb-iam-toripcaller-custodian.json')],
      '--include-samples',
    );
    expect(Object.keys(result ?? {})).toEqual(['file', 'route', 'accepted', 'incident', 'decision']);
    expect(result?.route).toEqual({
      outcome: 'delivered',
      via: 'eventbridge',
      rules: ['guardduty-findings'],
    });
    expect(result?.incident).toMatchObject({
      id: expect.stringMatching(/^guardduty-883606788610-us-east-1-/),
      source: 'guardduty',
      category: 'credential-compromise',
      severity: { score: 5, label: 'medium' },
      resources: expect.any(Array),
    });
    expect(Object.keys((result?.decision ?? {}) as object)).toEqual(
      expect.arrayContaining(['action', 'playbook', 'approval', 'steps', 'reason']),
    );
  });

  it('answers a missing file and a non-JSON file with accepted: false and the reason, and exit code 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-plan-'));
    const notJson = join(dir, 'not.json');
    await writeFile(notJson, 'this is not json');
    const results = await planJson([join(dir, 'missing.json'), notJson]);
    expect(results).toEqual([
      {
        file: join(dir, 'missing.json'),
        accepted: false,
        reason: 'The file does not exist.',
        incident: null,
        decision: null,
      },
      expect.objectContaining({
        file: notJson,
        accepted: false,
        reason: expect.stringContaining('not valid JSON'),
      }),
    ]);
  });

  it('prints a readable table with a line of reasons and a summary', async () => {
    const { code, out } = await run(
      'plan',
      eventPath('guardduty/eb-iam-toripcaller-custodian.json'),
      '--include-samples',
    );
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^#\s+EVENT\s+ACTION\s+CATEGORY/);
    expect(out.join('\n')).toContain('credential-compromise');
    expect(out.at(-1)).toBe(
      '1 events: 1 remediate, 0 notify, 0 ignore, 0 rejected, 0 dropped by EventBridge.',
    );
  });

  it('fails closed to notify-only when the settings file is invalid, and says so', async () => {
    // Prepare: a live (non-sample) finding, since settings that fail closed take the defaults (samples ignored).
    const dir = await mkdtemp(join(tmpdir(), 'cordon-plan-'));
    const settings = join(dir, 'settings.json');
    await writeFile(settings, JSON.stringify({ mode: 'destroy-everything' }));
    const event = loadEvent<{ detail: { service: { additionalInfo: Record<string, unknown> } } }>(
      'guardduty/eb-iam-toripcaller-custodian.json',
    );
    delete event.detail.service.additionalInfo.sample;
    const live = join(dir, 'live.json');
    await writeFile(live, JSON.stringify(event));

    const result = await run('plan', live, '--json', '--settings', settings);

    expect(result.code).toBe(0);
    expect(result.err.join('\n')).toMatch(/failing closed.*mode/);
    expect(JSON.parse(result.out[0] ?? '{}').decision).toMatchObject({ action: 'notify' });
  });

  it.each([
    ['not JSON', 'mode: dry-run'],
    ['not an object', '["dry-run"]'],
    ['an empty value SSM cannot hold', JSON.stringify({ approval: { slackChannel: '' } })],
  ])('exits 2, naming the problem, for a settings file that is %s', async (_label, text) => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-plan-'));
    const settings = join(dir, 'settings.json');
    await writeFile(settings, text);
    const result = await run(
      'plan',
      eventPath('guardduty/eb-iam-toripcaller-custodian.json'),
      '--settings',
      settings,
    );
    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(/settings/);
    expect(result.out).toEqual([]);
  });

  it('routes a finding in the SDK casing through the poller with --via poller, as the poller hands it over', async () => {
    // The published sample's AccountId is the 13-digit placeholder 1234567891234: the poller's path refuses it.
    const [published] = await planJson(
      [eventPath('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json')],
      '--include-samples',
      '--via',
      'poller',
    );
    expect(published).toMatchObject({
      route: { outcome: 'delivered', via: 'poller' },
      accepted: false,
      reason: 'AccountId "1234567891234" is not an AWS account id: account ids are exactly 12 digits.',
    });
    // With a real account id, the same finding in the SDK's casing is read on purpose.
    const dir = await mkdtemp(join(tmpdir(), 'cordon-plan-'));
    const file = join(dir, 'pascal.json');
    await writeFile(
      file,
      JSON.stringify(loadEventWithAccount('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json')),
    );
    const [pascal] = await planJson([file], '--include-samples', '--via', 'poller');
    expect(pascal).toMatchObject({
      route: { outcome: 'delivered', via: 'poller' },
      accepted: true,
      incident: { category: 'instance-exposed' },
      decision: { action: 'notify', playbook: 'notify-only' },
    });
  });

  it('delivers every CloudWatch alarm entering ALARM; the settings decide which ones Cordon answers', async () => {
    const file = eventPath('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
    const [unmapped] = await planJson([file]);
    expect(unmapped).toMatchObject({
      route: { outcome: 'delivered', via: 'eventbridge', rules: ['cloudwatch-alarms'] },
      // Delivered, but the settings map no playbook to it: recorded, nothing started.
      decision: { action: 'ignore' },
    });
    const dir = await mkdtemp(join(tmpdir(), 'cordon-plan-'));
    const settings = join(dir, 'settings.json');
    await writeFile(settings, JSON.stringify({ alarmPlaybooks: { 'server-cpu-too-high': 'notify-only' } }));
    const [mapped] = await planJson([file], '--settings', settings);
    expect(mapped).toMatchObject({ decision: { action: 'notify', playbook: 'notify-only' } });
  });

  it('refuses --extra-alarm, saying the rule now delivers every alarm', async () => {
    const result = await run(
      'plan',
      eventPath('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json'),
      '--extra-alarm',
      'ServerCpuTooHigh',
    );
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toContain('--extra-alarm is no longer needed');
  });

  it('applies a settings file holding a subset of the settings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-plan-'));
    const settings = join(dir, 'settings.json');
    await writeFile(settings, JSON.stringify({ mode: 'dry-run' }));
    const [result] = await planJson(
      [eventPath('guardduty/eb-iam-toripcaller-custodian.json')],
      '--settings',
      settings,
      '--include-samples',
    );
    expect(result?.decision).toMatchObject({ action: 'remediate', dryRun: true });
  });

  it.each([
    [['plan']],
    [['plan', 'x.json', '--frobnicate']],
    [['plan', 'x.json', '--settings', '/nonexistent/settings.json']],
    [['plan', 'x.json', '--via', 'carrier-pigeon']],
    [['plan', 'x.json', '--extra-alarm', ' ']],
    [['unknown-command']],
    [[]],
  ])('exits 2 for the usage error %j', async (argv) => {
    expect((await run(...argv)).code).toBe(2);
  });
});

describe('cordon demo --plan', () => {
  it('plans every bundled event and ends with a summary', async () => {
    const { code, out } = await run('demo', '--plan');
    expect(code).toBe(0);
    expect(out.at(-1)).toMatch(new RegExp(`^${listEvents().length} events: \\d+ remediate`));
  });
});

describe('bundled events', () => {
  const shared = join(EVENTS_DIR, '..', '..', '..', '..', 'shared', 'events');

  it.skipIf(!existsSync(shared))('are verbatim copies of ../shared/events', () => {
    for (const name of listEvents()) {
      expect(readFileSync(join(EVENTS_DIR, name), 'utf8'), name).toBe(
        readFileSync(join(shared, name), 'utf8'),
      );
    }
  });
});
