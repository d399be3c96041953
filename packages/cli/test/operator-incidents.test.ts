import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  APPROVAL_COMMENTS,
  APPROVER,
  DAY_EVENTS,
  type OperationsDay,
  operationsDay,
  operationsDayStart,
  STAGE,
  writeOnce,
} from '../scripts/operations-day.ts';
import { mdText } from '../src/commands/evidence-format.ts';
import { parseTime } from '../src/commands/time-options.ts';

let day: OperationsDay;

beforeAll(async () => {
  // Read-only tests share one day; each test that changes anything builds its own.
  day = await operationsDay();
});

async function json(argv: readonly string[]) {
  const result = await day.run('cordon-operator', argv);
  expect(result.code, result.err.join('\n')).toBe(0);
  return JSON.parse(result.out.join('\n'));
}

describe('cordon incidents list', () => {
  it('lists every incident decided in the window, oldest first, with playbook, status, severity and title', async () => {
    const listed = await json(['incidents', 'list', '--stage', STAGE, '--json']);

    expect(listed.incidents.map((row: { id: string }) => row.id)).toEqual([
      day.incidents.ignoredSample,
      day.incidents.commandAndControl,
      day.incidents.torCaller,
      day.incidents.rootUser,
      day.incidents.staleKeys,
    ]);
    expect(
      listed.incidents.map((row: { playbook: string | null; status: string }) => [row.playbook, row.status]),
    ).toEqual([
      [null, 'ignored'],
      ['ec2-compromise', 'succeeded'],
      ['credential-compromise', 'succeeded'],
      ['root-activity', 'succeeded'],
      ['stale-credentials', 'succeeded'],
    ]);
    expect(listed.incidents[1]).toMatchObject({
      severity: { label: 'medium', score: 5 },
      title: expect.stringContaining('Command and Control'),
      execution: {
        status: 'SUCCEEDED',
        consoleUrl: expect.stringMatching(
          /^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/states\/home\?region=eu-west-1#\/v2\/executions\/details\/arn:aws:states:eu-west-1:111122223333:execution:cordon-local-ec2-compromise:guardduty-/,
        ),
      },
    });
  });

  it('filters by status and by window (--since as a duration or a time)', async () => {
    const ignored = await json(['incidents', 'list', '--stage', STAGE, '--status', 'ignored', '--json']);
    const several = await json([
      'incidents',
      'list',
      '--stage',
      STAGE,
      '--status',
      'failed,ignored',
      '--json',
    ]);
    const recent = await json(['incidents', 'list', '--stage', STAGE, '--since', '1h', '--json']);
    const fromNoon = await json([
      'incidents',
      'list',
      '--stage',
      STAGE,
      '--since',
      '2026-11-20T12:00:00Z',
      '--json',
    ]);

    expect(ignored.incidents.map((row: { id: string }) => row.id)).toEqual([day.incidents.ignoredSample]);
    expect(several.incidents).toHaveLength(1);
    expect(recent.incidents.map((row: { id: string }) => row.id)).toEqual([day.incidents.staleKeys]);
    expect(fromNoon.incidents.map((row: { id: string }) => row.id)).toEqual([
      day.incidents.torCaller,
      day.incidents.rootUser,
      day.incidents.staleKeys,
    ]);
  });

  it('reads the decisions index month by month and never Scans', async () => {
    const mark = day.sandbox.account.calls.length;

    await json(['incidents', 'list', '--stage', STAGE, '--since', '60d', '--json']);

    const calls = day.sandbox.account.calls.slice(mark);
    expect(calls.some((call) => call.command === 'Scan')).toBe(false);
    const indexQueries = calls.filter(
      (call) => (call.input as { IndexName?: string }).IndexName === 'decisions-by-month',
    );
    expect(
      indexQueries.map(
        (call) =>
          (call.input as { ExpressionAttributeValues: Record<string, { S: string }> })
            .ExpressionAttributeValues[':month']?.S,
      ),
    ).toEqual(['2026-09', '2026-10', '2026-11']);
  });

  it('a table for people: one line per incident', async () => {
    const result = await day.run('cordon-operator', ['incidents', 'list', '--stage', STAGE]);

    expect(result.out[0]).toBe(
      'Incidents of stage local in eu-west-1 (the sandbox) decided from 2026-11-13T14:51:00Z to 2026-11-20T14:51:00Z: 5',
    );
    expect(result.out.find((line) => line.includes(day.incidents.rootUser as string))).toMatch(
      /high 8\s+root-activity\s+succeeded\s+1\s+The Root user is anomalously invoking APIs\./,
    );
  });

  it.each([
    [['--since', 'last week'], /--since takes a duration back from now/],
    [['--since', '2026-11-20T12:00:00'], /an ISO-8601 time with its offset/],
    [['--status', 'done'], /--status takes running, succeeded/],
    [['--since', '0d'], /the window is empty/],
    [['--stage', 'prod/x'], /is not a valid settings stage/],
  ])('refuses bad input as usage (exit 2): %j', async (extra, message) => {
    const result = await day.run('cordon-operator', ['incidents', 'list', '--stage', STAGE, ...extra]);

    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(message);
  });
});

describe('cordon incidents show', () => {
  it('shows the decision and its reason, the settings version, every step, the approval, what changed and what a release restores', async () => {
    const shown = await json([
      'incidents',
      'show',
      day.incidents.commandAndControl as string,
      '--stage',
      STAGE,
      '--json',
    ]);

    expect(shown.decision).toMatchObject({ playbook: 'ec2-compromise', approval: 'required' });
    expect(shown.decision.reason).toMatch(/instance i-99999999 is compromised/);
    expect(shown.settingsVersions).toHaveLength(1);
    expect(
      shown.steps.map((step: { step: string; outcome: string }) => `${step.step} ${step.outcome}`),
    ).toContain('contain-instance done');
    expect(shown.approvals).toEqual([
      {
        ok: true,
        record: expect.objectContaining({
          incidentId: day.incidents.commandAndControl,
          status: 'approved',
          decision: {
            decision: 'approve',
            decidedBy: APPROVER,
            decidedAt: expect.any(String),
            comment: APPROVAL_COMMENTS[0],
          },
        }),
      },
    ]);
    expect(JSON.stringify(shown)).not.toContain('taskToken');
    expect(shown.changes).toContainEqual(
      expect.objectContaining({ attribute: 'groups', step: 'contain-instance', dryRun: false }),
    );
    expect(shown.restore.map((restore: { step: string }) => restore.step)).toEqual([
      'contain-instance',
      'deregister-from-load-balancers',
      'quarantine-instance-profile',
    ]);
    expect(shown.timing).toMatchObject({ containedBy: 'contain-instance', secondsToContain: 660 });
  });

  it('as text: the approval says who, when and the comment; the execution its console link', async () => {
    const result = await day.run('cordon-operator', [
      'incidents',
      'show',
      day.incidents.torCaller as string,
      '--stage',
      STAGE,
    ]);

    expect(result.code).toBe(0);
    const text = result.out.join('\n');
    expect(text).toContain(
      `approved by slack:U0123ABCD (Jane Doe) at 2026-11-20T12:14:00Z, comment: ${JSON.stringify(APPROVAL_COMMENTS[1])}`,
    );
    expect(text).toMatch(
      /#\/v2\/executions\/details\/arn:aws:states:eu-west-1:111122223333:execution:cordon-local-credential-compromise:/,
    );
    expect(text).toContain(
      'AKIABC60F07D54C65DC2 status: "Active" → "Inactive" (deactivate-access-key, 2026-11-20T12:14:00Z)',
    );
    expect(text).toContain(
      'contained 2026-11-20T12:14:00Z by deactivate-access-key: 11 min 0 s after the finding',
    );
  });

  it('an ignored incident: the decision and why, no execution', async () => {
    const shown = await json([
      'incidents',
      'show',
      day.incidents.ignoredSample as string,
      '--stage',
      STAGE,
      '--json',
    ]);

    expect(shown).toMatchObject({ status: 'ignored', executions: [], steps: [] });
    expect(shown.decisions[0].notes).toEqual([
      'A GuardDuty sample finding (CreateSampleFindings); includeSampleFindings is off.',
      'ignored',
    ]);
  });

  it('an unknown incident is named (exit 1); a malformed id is usage (exit 2)', async () => {
    const unknown = await day.run('cordon-operator', [
      'incidents',
      'show',
      'guardduty-000000000000-eu-west-1-none',
      '--stage',
      STAGE,
    ]);
    const malformed = await day.run('cordon-operator', ['incidents', 'show', 'not an id', '--stage', STAGE]);

    expect(unknown.code).toBe(1);
    expect(unknown.err[0]).toMatch(
      /^cordon: IncidentNotFoundError: Incident guardduty-000000000000-eu-west-1-none is not in the ledger of stage local/,
    );
    expect(malformed.code).toBe(2);
  });

  it('an execution Step Functions no longer knows is UNKNOWN, with why; the ledger still tells the story', async () => {
    const fresh = await operationsDayStart();
    await fresh.run('cordon-settings-admin', [
      'settings',
      'push',
      '--stage',
      STAGE,
      writeOnce('samples.json', { includeSampleFindings: true }),
      '--yes',
    ]);
    fresh.deployment.clearSettingsCaches();
    const { incident } = await fresh.deliver(DAY_EVENTS.rootUser);
    fresh.sandbox.account.injectFault({
      service: 'SFN',
      command: 'DescribeExecution',
      error: 'ExecutionDoesNotExist',
    });

    const result = await fresh.run('cordon-operator', [
      'incidents',
      'show',
      incident.id,
      '--stage',
      STAGE,
      '--json',
    ]);

    const shown = JSON.parse(result.out[0] ?? '{}');
    expect(shown.status).toBe('unknown');
    expect(shown.executions[0].problem).toMatch(/keeps closed executions for 90 days/);
    expect(shown.steps.map((step: { step: string }) => step.step)).toEqual(['notify']);
  });
});

describe('cordon evidence', () => {
  it('json: every incident of the window with decision, settings in force (values where known), approvals, steps, controls and time to containment', async () => {
    const pack = await json(['evidence', '--stage', STAGE, '--from', '2026-11-20', '--format', 'json']);

    expect(pack).toMatchObject({
      kind: 'cordon-evidence',
      stage: STAGE,
      account: '111122223333',
      from: '2026-11-20T00:00:00.000Z',
      generatedBy: 'arn:aws:sts::111122223333:assumed-role/cordon-operator/sandbox',
      summary: {
        incidents: 5,
        byStatus: { ignored: 1, succeeded: 4 },
        contained: 3,
        medianSecondsToContain: 660,
        approvalsAsked: 3,
        approvalsDecidedByPeople: 3,
      },
    });
    expect(pack.settings.map((settings: { source: string }) => settings.source)).toEqual([
      'defaults',
      'recorded',
    ]);
    expect(pack.settings[1].note).toMatch(
      /recorded by cordon settings push at 2026-11-20T10:00:00.000Z .* the values hash to this version/,
    );
    expect(pack.settings[1].values.includeSampleFindings).toBe(true);
    expect(pack.incidents).toHaveLength(5);
  });

  it('a settings version nobody recorded says so and shows no values', async () => {
    const fresh = await operationsDayStart();
    fresh.sandbox.ssm.putParameter({ name: '/cordon/local/settings/include-sample-findings', value: 'true' });
    fresh.deployment.clearSettingsCaches();
    await fresh.deliver(DAY_EVENTS.rootUser);
    fresh.sandbox.ssm.putParameter({ name: '/cordon/local/settings/mode', value: 'dry-run' });
    // The window is [from, to): the incident was decided a minute before the command runs.
    fresh.clock.advance(60);

    const pack = JSON.parse(
      (
        await fresh.run('cordon-operator', ['evidence', '--stage', STAGE, '--from', '1d', '--format', 'json'])
      ).out.join('\n'),
    );

    expect(pack.settings).toEqual([
      expect.objectContaining({
        source: 'unknown',
        note: 'values not recorded (settings changed outside cordon settings push)',
      }),
    ]);
    expect(pack.settings[0].values).toBeUndefined();
  });

  it('md and html show the same incidents; html is self-contained and escapes what findings and people wrote', async () => {
    const fresh = await operationsDayStart();
    await fresh.run('cordon-settings-admin', [
      'settings',
      'push',
      '--stage',
      STAGE,
      writeOnce('s.json', { includeSampleFindings: true }),
      '--yes',
    ]);
    fresh.deployment.clearSettingsCaches();
    await fresh.deliver(DAY_EVENTS.rootUser, {
      change: (event) => {
        (event.detail as Record<string, unknown>).title = '<script>alert("x")</script> | *root* `now`';
      },
    });
    fresh.clock.advance(60);
    const html = writeOnce('evidence.html', '');
    const md = writeOnce('evidence.md', '');

    const htmlRun = await fresh.run('cordon-operator', [
      'evidence',
      '--stage',
      STAGE,
      '--from',
      '1d',
      '--format',
      'html',
      '--out',
      html,
    ]);
    const mdRun = await fresh.run('cordon-operator', [
      'evidence',
      '--stage',
      STAGE,
      '--from',
      '1d',
      '--format',
      'md',
      '--out',
      md,
    ]);

    expect([htmlRun.code, mdRun.code]).toEqual([0, 0]);
    expect(htmlRun.err).toEqual([`Wrote the evidence of 1 incident to ${html}.`]);
    const page = await readFile(html, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
    expect(page).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    const markdown = await readFile(md, 'utf8');
    expect(markdown).toContain(`- **Title**: ${mdText('<script>alert("x")</script> | *root* `now`')}`);
    expect(markdown).toContain('\\<script\\>alert("x")\\</script\\> \\| \\*root\\* \\`now\\`');
  });

  it.each([
    [['--format', 'pdf'], /--format takes json, md, html/],
    [[], /evidence needs --from/],
    [['--from', '2026-11-21', '--to', '2026-11-20'], /the window is empty/],
  ])('refuses bad input as usage (exit 2): %j', async (extra, message) => {
    const result = await day.run('cordon-operator', [
      'evidence',
      '--stage',
      STAGE,
      ...(extra.includes('--from') || extra.length === 0 ? [] : ['--from', '1d']),
      ...extra,
    ]);

    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(message);
  });
});

describe('times on the command line', () => {
  const now = new Date('2026-11-28T10:00:00Z');

  it.each([
    ['30m', '2026-11-28T09:30:00.000Z'],
    ['24h', '2026-11-27T10:00:00.000Z'],
    ['7d', '2026-11-21T10:00:00.000Z'],
    ['2w', '2026-11-14T10:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T09:00:00+02:00', '2026-11-01T07:00:00.000Z'],
  ])('%s → %s', (value, expected) => {
    expect(parseTime(value, '--since', now).toISOString()).toBe(expected);
  });
});
