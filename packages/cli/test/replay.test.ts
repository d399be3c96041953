import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GROUP_ACTION_FIELD } from '@cordon/core/approval/group-page';
import { automaticApprovals } from '@cordon/local/engine';
import { describe, expect, it } from 'vitest';
import { eventPath } from '../../../test/support/events.ts';
import { parseFault, replay } from '../src/commands/replay.ts';
import { main } from '../src/main.ts';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (...lines) => out.push(...lines), err: (line) => err.push(line) });
  return { code, out, err };
}

async function replayJson(...argv: string[]) {
  const result = await run('replay', ...argv, '--json');
  expect(result.code, result.err.join('\n')).toBe(0);
  return JSON.parse(result.out[0] ?? '{}') as {
    accepted: boolean;
    reason: string;
    incident: { id: string } | null;
    decision: { action: string; playbook: string; reason: string } | null;
    execution: { name: string | null; status: string; error?: string; cause?: string };
    steps: Array<{
      id: string;
      status: string;
      startedAt: string;
      endedAt?: string;
      attempts: number;
      error?: { name: string };
    }>;
    delivery: { outcome: string; via: string; rules: string[]; reason?: string; attempts?: number };
    calls: Array<{ service: string; command: string; input: unknown; principal?: string; iam?: string }>;
    transitions: number;
    changes: Array<{ resource: string; attribute: string; before: string; after: string }>;
  };
}

const CC = eventPath('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');

describe('cordon replay', () => {
  it('prints one JSON object with the incident, decision, execution, steps, calls and transitions', async () => {
    const report = await replayJson(CC, '--include-samples', '--approve');
    expect(report.execution).toEqual({ name: report.incident?.id, status: 'SUCCEEDED' });
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 'ec2-compromise' });
    expect(report.steps.map((step) => step.id)).toContain('contain-instance');
    for (const step of report.steps)
      expect(step).toMatchObject({
        status: 'succeeded',
        startedAt: expect.any(String),
        endedAt: expect.any(String),
      });
    expect(report.calls).toContainEqual(
      expect.objectContaining({ service: 'EC2', command: 'ModifyNetworkInterfaceAttribute' }),
    );
    expect(report.calls.every((call) => !call.command.endsWith('Command'))).toBe(true);
    expect(report.transitions).toBeGreaterThan(report.steps.length);
  });

  it('gives the reason of an accepted event too (README lists reason): the decision’s reason', async () => {
    const report = await replayJson(CC, '--include-samples', '--approve');
    expect(report.accepted).toBe(true);
    expect(report.reason).toBe(report.decision?.reason);
    expect(report.reason).toMatch(/instance i-\w+ is compromised/);
  });

  it('says how the event reached triage and which role made each call', async () => {
    const report = await replayJson(CC, '--include-samples', '--approve');
    expect(report.delivery).toEqual({
      outcome: 'delivered',
      via: 'eventbridge',
      rules: ['guardduty-findings'],
      attempts: 1,
    });
    const account = report.incident?.id.split('-')[1];
    const roles = new Set(report.calls.map((call) => call.principal));
    expect(roles).toContain(`arn:aws:iam::${account}:role/cordon-local-triage`);
    expect(roles).toContain(`arn:aws:iam::${account}:role/cordon-local-contain-instance`);
    expect(roles).not.toContain(undefined);
    // IAM was asked about every call, against the policies infra deploys, and allowed each.
    expect(report.calls.every((call) => call.iam === 'allowed')).toBe(true);
    expect(report.calls.find((call) => call.command === 'ModifyNetworkInterfaceAttribute')?.principal).toBe(
      `arn:aws:iam::${account}:role/cordon-local-contain-instance`,
    );
  });

  it("records IAM's answer for each call when an authorizer is installed", async () => {
    const report = await replay({
      file: CC,
      settings: { includeSampleFindings: true },
      approvals: automaticApprovals('approve'),
      authorizer: ({ command }) =>
        command === 'CreateSnapshot'
          ? { decision: 'denied', reason: 'no statement allows ec2:CreateSnapshot' }
          : { decision: 'allowed', reason: 'allowed' },
    });
    expect(report.calls.every((call) => call.iam === 'allowed' || call.iam === 'denied')).toBe(true);
    expect(report.calls.filter((call) => call.iam === 'denied').map((call) => call.command)).toContain(
      'CreateSnapshot',
    );
    expect(report.execution).toMatchObject({ status: 'FAILED', cause: 'snapshot-volumes' });
  });

  it('reports an event no deployed rule matches as dropped by EventBridge, and calls nothing', async () => {
    const report = await replayJson(
      eventPath('guardduty/eb-pascalcase-root-credential-usage-placeholders.json'),
    );
    expect(report.delivery).toMatchObject({
      outcome: 'dropped',
      via: 'eventbridge',
      reason: expect.stringContaining('detail.severity'),
    });
    expect(report).toMatchObject({ accepted: false, incident: null, decision: null, calls: [] });
    expect(report.execution.status).toBe('NOT_STARTED');
  });

  it('delivers a finding through the poller with --via poller (the SDK casing the poller hands over)', async () => {
    const report = await replayJson(
      eventPath('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json'),
      '--include-samples',
      '--via',
      'poller',
    );
    expect(report.delivery).toMatchObject({ outcome: 'delivered', via: 'poller', rules: [] });
    expect(report.decision).toMatchObject({ playbook: 'notify-only' });
    expect(report.execution.status).toBe('SUCCEEDED');
  });

  it('reports a triage that fails on every attempt (Lambda retries it twice), and starts nothing', async () => {
    const report = await replayJson(
      CC,
      '--include-samples',
      '--approve',
      '--fail',
      'StartExecution:AccessDeniedException',
    );
    expect(report.delivery).toMatchObject({ outcome: 'failed', attempts: 3 });
    expect(report.execution.status).toBe('NOT_STARTED');
    expect(report.calls.filter((call) => call.command === 'StartExecution')).toHaveLength(3);
  });

  it('changes nothing in the account when the approval is rejected', async () => {
    const report = await replayJson(CC, '--include-samples', '--reject');
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.changes).toEqual([]);
    expect(
      report.calls.filter((call) => call.service === 'EC2' && !call.command.startsWith('Describe')),
    ).toEqual([]);
  });

  it('reports a step that fails for good as FAILED, naming the step, after notifying', async () => {
    const report = await replayJson(
      CC,
      '--include-samples',
      '--approve',
      '--fail',
      'ModifyNetworkInterfaceAttribute:AccessDenied',
    );
    expect(report.execution).toMatchObject({
      status: 'FAILED',
      error: 'PlaybookStepFailed',
      cause: 'contain-instance',
    });
    expect(report.steps.find((step) => step.id === 'contain-instance')).toMatchObject({
      status: 'failed',
      error: { name: 'AccessDeniedError' },
    });
    expect(report.calls.filter((call) => call.command === 'Publish')).toHaveLength(1);
  });

  it('retries a throttled call to success', async () => {
    const report = await replayJson(
      CC,
      '--include-samples',
      '--approve',
      '--fail',
      'ModifyNetworkInterfaceAttribute:RequestLimitExceeded:2',
    );
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.steps.find((step) => step.id === 'contain-instance')).toMatchObject({
      status: 'succeeded',
      attempts: 3,
    });
  });

  it('does not start a playbook for an ignored event, and says so', async () => {
    const report = await replayJson(CC);
    expect(report.decision?.action).toBe('ignore');
    expect(report.execution).toEqual({ name: null, status: 'NOT_STARTED' });
    expect(report.steps).toEqual([]);
  });

  it('without --approve or --reject, prints the approval link and waits for the decision made on that page', async () => {
    const err: string[] = [];
    let linkShown: (link: string) => void = () => undefined;
    const link = new Promise<string>((resolve) => {
      linkShown = resolve;
    });
    const out: string[] = [];
    const running = main(['replay', CC, '--include-samples', '--json'], {
      out: (...lines) => out.push(...lines),
      err: (line) => {
        err.push(line);
        const shown = /Open (http:\/\/127\.0\.0\.1:\d+\S+)/.exec(line);
        if (shown?.[1] !== undefined) linkShown(shown[1]);
      },
    });
    // The request joined the approval group of its kind, as deployed: the link is the group's page.
    expect(await link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/groups\/[\w-]+\?/);
    // Decide as the page's form would: GET (which decides nothing) sets the CSRF cookie, POST decides
    // (Approve all waiting: the places the page showed).
    const page = await fetch(await link);
    const html = await page.text();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
    const form = new URLSearchParams({
      sig: field('sig'),
      exp: field('exp'),
      csrf: field('csrf'),
      from: field('from'),
      through: field('through'),
      [GROUP_ACTION_FIELD]: 'approve:all',
    });
    const decided = await fetch(new URL(action.replace(/&amp;/g, '&'), await link), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: page.headers.get('set-cookie')?.split(';')[0] ?? '',
      },
      body: form,
    });
    expect(decided.status).toBe(200);
    expect(await running).toBe(0);
    expect(err.join('\n')).toMatch(/Approval needed for guardduty-/);
    expect(JSON.parse(out[0] ?? '{}').execution.status).toBe('SUCCEEDED');
  });

  it('exits 1 for a file it cannot read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-replay-'));
    expect((await run('replay', join(dir, 'missing.json'))).code).toBe(1);
    const notJson = join(dir, 'x.json');
    await writeFile(notJson, 'nope');
    const report = await replayJson(notJson);
    expect(report.execution.status).toBe('NOT_STARTED');
  });

  it.each([
    [['replay']],
    [['replay', CC, CC]],
    [['replay', CC, '--approve', '--reject']],
    [['replay', CC, '--fail', 'nonsense']],
    [['replay', CC, '--latency', 'fast']],
    [['replay', CC, '--port', 'http']],
    [['replay', CC, '--via', 'sqs']],
    [['demo', '--frobnicate']],
    [['demo', 'some-file.json']],
  ])('exits 2 for the usage error %j', async (argv) => {
    expect((await run(...argv)).code).toBe(2);
  });

  it('prints a readable timeline and what changed', async () => {
    const { code, out } = await run('replay', CC, '--include-samples', '--approve');
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/Execution .*: SUCCEEDED/);
    expect(text).toMatch(
      /contain-instance\s+Contain it: protect evidence, enter Standby, isolate\s+succeeded/,
    );
    expect(text).toMatch(/security groups\s+\S+\s+cordon-isolation/);
  });
});

describe('parseFault', () => {
  it('reads Command:Error and Command:Error:times', () => {
    expect(parseFault('CreateSnapshot:ConcurrentSnapshotLimitExceeded')).toEqual({
      command: 'CreateSnapshot',
      error: 'ConcurrentSnapshotLimitExceeded',
    });
    expect(parseFault('PutRolePolicy:Throttling:3')).toEqual({
      command: 'PutRolePolicy',
      error: 'Throttling',
      times: 3,
    });
  });
});

describe('cordon demo', () => {
  it('replays the curated events end to end and ends with a summary table', async () => {
    const { code, out } = await run('demo', '--auto-approve');
    expect(code).toBe(0);
    const summary = out.slice(out.indexOf('Summary'));
    expect(summary.join('\n')).toMatch(
      /command-and-control server\s+remediate\s+ec2-compromise\s+required\s+SUCCEEDED/,
    );
    expect(summary.join('\n')).toMatch(/SSH brute force \(a victim\)\s+notify\s+notify-only/);
    expect(summary.filter((line) => line.includes('SUCCEEDED'))).toHaveLength(6);
  });
});
