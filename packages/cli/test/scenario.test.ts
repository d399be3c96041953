import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomes } from '../../../test/support/scenario-command.ts';
import type { ScenarioReport } from '../src/commands/scenario-run.ts';
import { main } from '../src/main.ts';

const SCENARIOS = resolve(import.meta.dirname, '..', 'scenarios');
const EVENT = resolve(
  import.meta.dirname,
  '..',
  'events',
  'guardduty',
  'eb-ec2-backdoor-cc-activity-b-dns-custodian.json',
);

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const exit = await main(args, { out: (...lines) => out.push(...lines), err: (line) => err.push(line) });
  return { exit, out, err };
}

async function runJson(file: string) {
  const { exit, out, err } = await run(['scenario', file, '--json']);
  return { exit, err, report: JSON.parse(out.join('\n')) as ScenarioReport };
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cordon-scenario-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a scenario file (an object as JSON, a string as it is) and answers its path. */
async function scenarioFile(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const deliver = { deliver: EVENT, includeSamples: true };

/** What each shipped scenario must come to: CI runs every file of packages/cli/scenarios. */
const SHIPPED: Readonly<Record<string, { outcomes: string[]; assess?: (report: ScenarioReport) => void }>> = {
  'released-instance-attacked-again.json': {
    outcomes: [
      'deliver:started',
      'decide:approved',
      'deliver:duplicate',
      'release:started',
      'decide:approved',
      'deliver:duplicate',
      'advance:advanced',
      'deliver:started',
      'decide:approved',
      'deliver:duplicate',
    ],
  },
  'ssm-outage-then-recovery.json': {
    outcomes: [
      'fail:injected',
      'deliver:notified',
      'deliver:duplicate',
      'advance:advanced',
      'deliver:started',
    ],
  },
  'fleet-contained-at-once.json': {
    outcomes: ['deliver:started+started'],
    assess: (report) =>
      expect(report.changes).toContainEqual(
        expect.objectContaining({
          resource: 'web-fleet-role',
          after: 'i-0a1b2c3d4e5f60001, i-0a1b2c3d4e5f60002',
        }),
      ),
  },
  'freeze-then-thaw.json': {
    outcomes: [
      'deliver:started',
      'settings:written',
      // Within the settings cache's 60 s: the change is not seen yet.
      'deliver:started',
      'advance:advanced',
      'deliver:started',
      'advance:advanced',
      'settings:written',
      'advance:advanced',
      'deliver:started',
    ],
    assess: (report) => {
      const approval = (index: number) => report.steps[index]?.decision?.approval;
      expect([approval(0), approval(2), approval(4), approval(8)]).toEqual([
        'auto',
        'auto',
        'required',
        'auto',
      ]);
      expect(report.steps[5]?.timedOut?.map((timedOut) => timedOut.executionName)).toEqual([
        'guardduty-883606788610-us-east-1-freeze-finding-3',
      ]);
      // Nobody approved in time and the blast radius had made it ask: silence contains nothing.
      const quarantined = report.changes.filter((change) => change.attribute === 'quarantine tag');
      expect(quarantined.map((change) => change.resource).sort()).toEqual([
        'i-0f000000000000001',
        'i-0f000000000000002',
        'i-0f000000000000004',
      ]);
      expect(report.calls.some((call) => JSON.stringify(call.input).includes('approval-timeout'))).toBe(true);
    },
  },
};

describe('the shipped scenarios (packages/cli/scenarios)', () => {
  it('each have their expected outcome below', async () => {
    const files = (await readdir(SCENARIOS)).filter((name) => name.endsWith('.json')).sort();
    expect(files).toEqual(Object.keys(SHIPPED).sort());
  });

  it.each(Object.entries(SHIPPED))('%s runs to its expected outcome', async (file, expected) => {
    const { exit, report } = await runJson(join(SCENARIOS, file));

    expect(exit).toBe(0);
    expect(outcomes(report)).toEqual(expected.outcomes);
    // Every call made as a role is one the deployed policies allow.
    expect(report.calls.filter((call) => call.iam === 'denied')).toEqual([]);
    expected.assess?.(report);
  });
});

describe('cordon scenario: the file is validated whole before anything runs (exit 2)', () => {
  it.each<[string, unknown, string]>([
    ['a file that is not JSON', '{ "steps": [', 'is not valid JSON'],
    ['an unknown top-level key', { steps: [deliver], stepz: [] }, '"stepz": is not a scenario field'],
    ['no steps', { steps: [] }, '"steps": must be a non-empty array of steps'],
    [
      'a start that is not a time',
      { start: 'tomorrow', steps: [deliver] },
      '"start": must be an ISO-8601 time',
    ],
    [
      'settings that are not an object',
      { settings: ['enforce'], steps: [deliver] },
      '"settings": must be a JSON object',
    ],
    ['a step of no kind', { steps: [deliver, { wait: 'PT1H' }] }, 'step 2: names no step kind'],
    [
      'a step of two kinds',
      { steps: [{ ...deliver, decide: 'approve' }] },
      'step 1: names 2 step kinds (deliver, decide)',
    ],
    [
      'an event file that does not exist',
      { steps: [{ deliver: 'missing.json' }] },
      'step 1 (deliver), "deliver": cannot read missing.json',
    ],
    [
      'an empty list of events',
      { steps: [{ deliver: [] }] },
      'step 1 (deliver), "deliver": must be an event file',
    ],
    [
      'set that is not an object',
      { steps: [{ ...deliver, set: 'count=3' }] },
      'step 1 (deliver), "set": must be an object',
    ],
    [
      'set reaching a prototype',
      { steps: [{ ...deliver, set: { '__proto__.x': 1 } }] },
      '"set.__proto__.x": is not a dotted path',
    ],
    [
      'settings holding __proto__ (JSON keeps it as a key)',
      JSON.parse('{"settings":{"__proto__":{"mode":"notify-only"}},"steps":[{"advance":"PT1H"}]}'),
      '"settings": holds the key "__proto__", which no setting has',
    ],
    [
      'a settings step holding constructor deep down',
      JSON.parse('{"steps":[{"settings":{"severity":{"constructor":{"x":1}}}}]}'),
      'step 1 (settings), "settings": holds the key "constructor"',
    ],
    [
      'includeSamples that is not a boolean',
      { steps: [{ ...deliver, includeSamples: 'yes' }] },
      '"includeSamples": must be true or false',
    ],
    [
      'via that is no route',
      { steps: [{ ...deliver, via: 'sqs' }] },
      '"via": must be "eventbridge" or "poller"',
    ],
    [
      'a field a step does not take',
      { steps: [deliver, { decide: 'approve', comment: 'ok' }] },
      'step 2 (decide), "comment": is not a field of a decide step',
    ],
    [
      'a decision that is neither',
      { steps: [{ decide: 'maybe' }] },
      'step 1 (decide), "decide": must be "approve" or "reject"',
    ],
    [
      'a decider that is no Slack user id',
      { steps: [{ decide: 'approve', by: 'alice' }] },
      '"by": must be a Slack user id',
    ],
    [
      'a release of no incident',
      { steps: [{ release: 42 }] },
      'step 1 (release), "release": must be an incident id or "last"',
    ],
    [
      'a fault not in the --fail syntax',
      { steps: [{ fail: 'PutRolePolicy' }] },
      'step 1 (fail), "fail": it takes <Command>:<ErrorName>[:<times>]',
    ],
    [
      'a duration that is not ISO-8601',
      { steps: [{ advance: '6 hours' }] },
      'step 1 (advance), "advance": must be an ISO-8601 duration',
    ],
    [
      'a duration of months (their length depends on the date)',
      { steps: [{ advance: 'P1M' }] },
      '"advance": must be an ISO-8601 duration',
    ],
    [
      'a duration of zero',
      { steps: [{ advance: 'PT0S' }] },
      '"advance": must be an ISO-8601 duration longer than zero',
    ],
    [
      'a duration too long for one step (and for a Date, with 400 digits)',
      { steps: [{ advance: `P${'9'.repeat(400)}D` }] },
      'is too long: one step advances the clock by at most P366D (366 days)',
    ],
    [
      'a duration just over the limit',
      { steps: [{ advance: 'P366DT1S' }] },
      '"advance": "P366DT1S" is too long',
    ],
    [
      'a setting SSM cannot hold',
      { steps: [deliver, { settings: { approval: { slackChannel: '' } } }] },
      'step 2 (settings), "settings": settings: approval/slack-channel cannot be stored',
    ],
  ])('%s', async (name, content, message) => {
    const file = await scenarioFile(`${name.replaceAll(/\W+/g, '-')}.json`, content);

    const { exit, out, err } = await run(['scenario', file, '--json']);

    expect(exit).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('ScenarioFileInvalidError');
    expect(err[0]).toContain(message);
    // Nothing ran: no report, no step.
    expect(out).toEqual([]);
  });

  it('refuses a file that cannot be read, and a missing file argument, as usage errors', async () => {
    expect((await run(['scenario', join(dir, 'nope.json')])).exit).toBe(2);
    expect((await run(['scenario'])).exit).toBe(2);
    expect((await run(['scenario', 'a.json', 'b.json'])).exit).toBe(2);
  });
});

describe('cordon scenario: running', () => {
  it('exits 1 with the story so far when a step cannot run (a release with nothing contained)', async () => {
    const file = await scenarioFile('release-nothing.json', {
      steps: [{ decide: 'approve' }, { release: 'last' }],
    });

    const { exit, out, err } = await run(['scenario', file, '--json']);

    expect(exit).toBe(1);
    const report = JSON.parse(out.join('\n')) as ScenarioReport;
    expect(outcomes(report)).toEqual(['decide:nothing-pending']);
    expect(err.at(-1)).toBe(
      'cordon: ReleaseNothingContainedError: step 2 (release): no instance has been contained yet',
    );
  });

  it('advances by the longest step allowed (P366D)', async () => {
    const file = await scenarioFile('advance-a-year.json', {
      start: '2026-12-01T09:00:00Z',
      steps: [{ advance: 'P366D' }],
    });

    const { exit, report } = await runJson(file);

    expect(exit).toBe(0);
    // The deployment's clock runs on with the wall clock between steps: a few milliseconds more.
    expect(report.end).toMatch(/^2027-12-02T09:00:0\d\.\d{3}Z$/);
  });

  it('prints the steps as they run and a summary without --json', async () => {
    const file = await scenarioFile('text.json', {
      description: 'A rehearsal.',
      steps: [deliver, { decide: 'reject' }],
    });

    const { exit, out, err } = await run(['scenario', file]);

    expect(exit).toBe(0);
    expect(err.join('\n')).toMatch(/1\. deliver {2}started/);
    expect(err.join('\n')).toMatch(/2\. decide {3}rejected/);
    expect(out[0]).toBe(`Scenario: ${file}`);
    expect(out.join('\n')).toContain('A rehearsal.');
    expect(out.join('\n')).toMatch(/ec2-compromise\s+SUCCEEDED/);
    expect(out.join('\n')).toContain('What changed: nothing.');
  });

  it('writes the sets, with {{now}} as the clock at delivery, and starts the clock where the file says', async () => {
    const file = await scenarioFile('start.json', {
      start: '2026-11-28T10:00:00Z',
      steps: [
        { advance: 'PT2H' },
        { ...deliver, set: { 'detail.updatedAt': '{{now}}', 'detail.service.count': 7 } },
      ],
    });

    const { report } = await runJson(file);

    // The clock runs on from there with the wall clock (setting the deployment up takes a few milliseconds).
    expect(report.start.startsWith('2026-11-28T10:00:0')).toBe(true);
    expect(report.steps[1]?.at.startsWith('2026-11-28T12:00')).toBe(true);
    const recorded = report.calls.find(
      (call) => call.command === 'PutItem' && JSON.stringify(call.input).includes('"triage"'),
    );
    const input = JSON.stringify(recorded?.input);
    expect(input).toContain('"updatedAt":{"S":"2026-11-28T12:00');
    expect(input).toContain('"count":{"N":"7"}');
  });

  it('saves the deployment state at the end with --save (models, ledger, executions, clock)', async () => {
    const file = await scenarioFile('save.json', { steps: [deliver] });
    const state = join(dir, 'state.json');

    const { exit } = await run(['scenario', file, '--json', '--save', state]);

    expect(exit).toBe(0);
    const saved = JSON.parse(await readFile(state, 'utf8'));
    expect(saved).toMatchObject({ version: 1, stage: 'local', homeAccount: '883606788610' });
    expect(Object.keys(saved.sandbox)).toEqual(
      expect.arrayContaining(['EC2', 'IAM', 'DynamoDB', 'SSM', 'SFN']),
    );
    expect(saved.executions).toEqual([expect.objectContaining({ playbook: 'ec2-compromise' })]);
    expect(saved.pendingApprovals).toEqual([expect.objectContaining({ step: 'contain-instance' })]);
    expect(Date.parse(saved.clock)).toBeGreaterThan(0);
  });
});
