/**
 * Issue 15, "each command is tested end to end over the sandbox": a shipped scenario is played and saved
 * (`cordon scenario … --save state.json`, through the CLI's entry as a person runs it), then every operator
 * command runs on the saved state with `--sandbox state.json` — the same command code and SDK calls as on a
 * deployed stage. Writes go back to the file only when the command succeeded; every bad input leaves the file
 * byte for byte as it was (checked with its SHA-256).
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSavedStage } from '../../packages/cli/src/aws/saved-stage.ts';
import { main } from '../../packages/cli/src/main.ts';
import { openSavedSandbox, readDeploymentStateFile } from '../../packages/local/src/deployment-state.ts';

const SHIPPED = resolve(import.meta.dirname, '..', '..', 'packages', 'cli', 'scenarios');
const INCIDENT = 'guardduty-883606788610-us-east-1-b4b01b60fc24a199139f8f5f490edd81';

let dir: string;
/** The state `cordon scenario --save` wrote; each test works on its own copy. */
let saved: string;
let copies = 0;

async function cordon(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (...lines) => out.push(...lines), err: (line) => err.push(line) });
  return { code, out, err, text: out.join('\n') };
}

async function json<T>(...args: string[]): Promise<T> {
  const result = await cordon(...args);
  expect(result.code, result.err.join('\n')).toBe(0);
  return JSON.parse(result.text) as T;
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

async function copyOfState(): Promise<string> {
  copies += 1;
  const file = join(dir, `state-${copies}.json`);
  await copyFile(saved, file);
  return file;
}

async function fileWith(name: string, content: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cordon-saved-'));
  saved = join(dir, 'state.json');
  const played = await cordon(
    'scenario',
    join(SHIPPED, 'released-instance-attacked-again.json'),
    '--save',
    saved,
  );
  expect(played.code, played.err.join('\n')).toBe(0);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('incidents and evidence over a saved scenario', () => {
  it('incidents list: the scenario’s incident, as the deployed stage would list it; the file is unchanged', async () => {
    const state = await copyOfState();
    const before = await sha256(state);

    const listed = await json<{
      stage: string;
      incidents: { id: string; playbook: string; status: string }[];
    }>('incidents', 'list', '--sandbox', state, '--json');
    const text = await cordon('incidents', 'list', '--sandbox', state, '--status', 'succeeded');

    expect(listed.stage).toBe('local');
    expect(listed.incidents).toEqual([
      expect.objectContaining({ id: INCIDENT, playbook: 'ec2-compromise', status: 'succeeded' }),
    ]);
    expect(text.code).toBe(0);
    expect(text.out[0]).toMatch(
      /^Incidents of stage local in us-east-1 \(the sandbox saved in .*state-\d+\.json\)/,
    );
    expect(text.text).toContain(INCIDENT);
    expect(text.out.at(-1)).toContain('(with the same --stage or --sandbox)');
    expect(await sha256(state)).toBe(before);
  });

  it('incidents show: decision and reason, settings version, steps, approvals, what changed, what a release would restore', async () => {
    const state = await copyOfState();
    const before = await sha256(state);

    const view = await json<{
      decision: { playbook: string; reason: string };
      settingsVersions: string[];
      executions: { name: string; status: string }[];
      steps: { step: string; outcome: string }[];
      approvals: {
        ok: boolean;
        record: { status: string; decision?: { decision: string; decidedBy: { kind: string; id: string } } };
      }[];
      changes: { step: string }[];
      restore: { step: string }[];
      released?: { step: string; outcome: string };
    }>('incidents', 'show', INCIDENT, '--sandbox', state, '--json');
    const text = await cordon('incidents', 'show', INCIDENT, '--sandbox', state);

    expect(view.decision).toMatchObject({
      playbook: 'ec2-compromise',
      reason: expect.stringContaining('is compromised'),
    });
    expect(view.settingsVersions).toHaveLength(1);
    expect(view.settingsVersions[0]).toMatch(/^[0-9a-f]{12}$/);
    // The incident's containments and, between them, the release the scenario started (found by its name).
    expect(view.executions.map((execution) => [execution.name, execution.status])).toEqual([
      [INCIDENT, 'SUCCEEDED'],
      [`${INCIDENT}-release-1`, 'SUCCEEDED'],
      [`${INCIDENT}-2`, 'SUCCEEDED'],
    ]);
    expect(view.steps).toContainEqual(expect.objectContaining({ step: 'contain-instance', outcome: 'done' }));
    expect(view.steps).toContainEqual(expect.objectContaining({ step: 'release-instance', outcome: 'done' }));
    // Three approvals asked (containment, release, containment again), each decided by the Slack user.
    expect(view.approvals).toHaveLength(3);
    for (const approval of view.approvals)
      expect(approval).toMatchObject({
        ok: true,
        record: { decision: { decision: 'approve', decidedBy: { kind: 'slack', id: expect.any(String) } } },
      });
    expect(view.changes.length).toBeGreaterThan(0);
    // Contained again after the release: what a release would restore is the second containment's records.
    expect(view.restore.map((restore) => restore.step)).toContain('contain-instance');
    expect(view.released).toMatchObject({ step: 'release-instance', outcome: 'done' });
    expect(text.text).toMatch(/A release ran: release-instance done at /);
    expect(text.code).toBe(0);
    for (const heading of ['Decision', 'Steps', 'Approvals', 'What changed', 'What a release would restore'])
      expect(text.out).toContain(heading);
    expect(await sha256(state)).toBe(before);
  });

  it('evidence --format json|md|html on the window: the incident, its settings and its approvals; the file is unchanged', async () => {
    const state = await copyOfState();
    const before = await sha256(state);

    const pack = await json<{
      kind: string;
      stage: string;
      summary: { incidents: number; contained: number; approvalsAsked: number };
      settings: { version: string; source: string }[];
      incidents: { id: string }[];
    }>('evidence', '--sandbox', state, '--from', '2d', '--format', 'json');
    const markdown = await cordon('evidence', '--sandbox', state, '--from', '2d', '--format', 'md');
    const html = await cordon('evidence', '--sandbox', state, '--from', '2d', '--format', 'html');

    expect(pack).toMatchObject({ kind: 'cordon-evidence', stage: 'local' });
    expect(pack.summary).toMatchObject({ incidents: 1, contained: 1, approvalsAsked: 3 });
    expect(pack.incidents.map((incident) => incident.id)).toEqual([INCIDENT]);
    // The settings the saved stage holds (never pushed, so their values are the stage's current ones).
    expect(pack.settings).toEqual([expect.objectContaining({ source: 'current' })]);
    expect(markdown.code).toBe(0);
    expect(markdown.text).toMatch(/^# Cordon evidence: stage local/);
    expect(markdown.text).toContain(INCIDENT);
    expect(html.code).toBe(0);
    expect(html.text).toMatch(/<html/i);
    expect(html.text).toContain(INCIDENT);
    expect(await sha256(state)).toBe(before);
  });
});

describe('settings over a saved scenario', () => {
  it('pull, diff, push --yes, then pull shows the new version; the push is recorded in the ledger and saved to the file', async () => {
    const state = await copyOfState();
    const before = await sha256(state);
    const dryRun = await fileWith('dry-run.json', { mode: 'dry-run' });

    const pulled = await json<{ version: string; ok: boolean; settings: { mode: string } }>(
      'settings',
      'pull',
      '--sandbox',
      state,
      '--json',
    );
    const diffed = await json<{
      changes: { name: string; before?: string; after?: string }[];
      after: { version: string };
    }>('settings', 'diff', '--sandbox', state, dryRun, '--json');
    expect(await sha256(state)).toBe(before);
    const pushed = await cordon('settings', 'push', '--sandbox', state, dryRun, '--yes');
    const after = await json<{
      version: string;
      settings: { mode: string };
      parameters: Record<string, { version: number }>;
    }>('settings', 'pull', '--sandbox', state, '--json');
    const evidence = await json<{ settings: { version: string; source: string; recordedBy?: string }[] }>(
      'evidence',
      '--sandbox',
      state,
      '--from',
      '2d',
      '--format',
      'json',
    );

    expect(pulled).toMatchObject({ ok: true, settings: { mode: 'enforce' } });
    expect(diffed.changes).toEqual([expect.objectContaining({ name: 'mode' })]);
    expect(pushed.code, pushed.err.join('\n')).toBe(0);
    expect(pushed.text).toContain(`settings version ${pulled.version} → ${diffed.after.version}`);
    expect(pushed.text).toContain(
      `Recorded the settings of version ${diffed.after.version} in cordon-local-ledger`,
    );
    expect(pushed.err).toContain(`Saved the changes to ${state}.`);
    expect(await sha256(state)).not.toBe(before);
    expect(after.version).toBe(diffed.after.version);
    expect(after.settings.mode).toBe('dry-run');
    expect(after.parameters.mode?.version).toBe(2);
    // Read back from the file: the ledger holds the pushed version, with who pushed it.
    const stored = JSON.parse(await readFile(state, 'utf8')) as {
      sandbox: { DynamoDB: { tables: Record<string, { items: { incidentId: { S: string } }[] }> } };
    };
    expect(
      stored.sandbox.DynamoDB.tables['cordon-local-ledger']?.items.map((item) => item.incidentId.S),
    ).toContain(`settings#${diffed.after.version}`);
    // The incidents were decided under the old version; nothing did yet under the new one.
    expect(evidence.settings.map((settings) => settings.version)).toEqual([pulled.version]);
  });

  it('an invalid settings file, a missing one, a push with no terminal and no --yes each change nothing', async () => {
    const state = await copyOfState();
    const before = await sha256(state);
    const invalid = await fileWith('invalid.json', { mode: 'yolo', colour: 'red' });
    const dryRun = await fileWith('dry-run-2.json', { mode: 'dry-run' });

    const refused = await cordon('settings', 'push', '--sandbox', state, invalid, '--yes');
    const missing = await cordon('settings', 'push', '--sandbox', state, join(dir, 'nope.json'), '--yes');
    const unconfirmed = await cordon('settings', 'push', '--sandbox', state, dryRun);

    expect(refused.code).toBe(2);
    expect(refused.err[0]).toMatch(/^cordon: InputInvalidError: /);
    expect(refused.err.join('\n')).toContain('colour: unknown setting');
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toMatch(/^cordon: InputFileNotFoundError: Cannot read .*nope\.json \(ENOENT\)/);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.err[0]).toMatch(/^cordon: ConfirmationRequiredError: /);
    expect(await sha256(state)).toBe(before);
  });
});

describe('detections over a saved scenario', () => {
  it('pull shows the defaults infra creates; push --yes writes a new threshold, saved; pull shows it', async () => {
    const state = await copyOfState();
    const before = await sha256(state);
    const thresholds = await fileWith('thresholds.json', { RootAccountUsage: { threshold: 3 } });

    type Pulled = { alarms: { alarm: string; ok: boolean; values: { threshold: number } }[] };
    const pulled = await json<Pulled>('detections', 'pull', '--sandbox', state, '--json');
    const pushed = await cordon('detections', 'push', '--sandbox', state, thresholds, '--yes');
    const after = await json<Pulled>('detections', 'pull', '--sandbox', state, '--json');

    const root = (verdicts: Pulled) =>
      verdicts.alarms.find((verdict) => verdict.alarm === 'RootAccountUsage');
    expect(root(pulled)).toMatchObject({ ok: true, values: { threshold: 1 } });
    expect(pushed.code, pushed.err.join('\n')).toBe(0);
    expect(pushed.text).toMatch(/Pushed 1 change as arn:aws:iam::\d{12}:user\/cordon-sandbox-operator/);
    expect(await sha256(state)).not.toBe(before);
    expect(root(after)).toMatchObject({ ok: true, values: { threshold: 3 } });
  });

  it('a threshold threshold-sync would reject is refused, and the file is unchanged', async () => {
    const state = await copyOfState();
    const before = await sha256(state);
    const bad = await fileWith('bad-thresholds.json', { RootAccountUsage: { periodSeconds: 90 } });

    const refused = await cordon('detections', 'push', '--sandbox', state, bad, '--yes');

    expect(refused.code).toBe(2);
    expect(refused.err[0]).toMatch(/^cordon: InputInvalidError: /);
    expect(await sha256(state)).toBe(before);
  });
});

describe('the state file: bad input is named and changes nothing', () => {
  it('a missing file: DeploymentStateNotFoundError, exit 2', async () => {
    const result = await cordon('incidents', 'list', '--sandbox', join(dir, 'absent.json'));

    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(/^cordon: DeploymentStateNotFoundError: Cannot read the saved deployment/);
  });

  it.each([
    ['a truncated file (not JSON)', (text: string) => text.slice(0, 200), 'DeploymentStateInvalidError'],
    [
      'another layout version',
      (text: string) => text.replace(/^\{"version":1,/, '{"version":2,'),
      'DeploymentStateVersionError',
    ],
    [
      'a state without its SSM parameters',
      (text: string) => JSON.stringify({ ...JSON.parse(text), sandbox: { DynamoDB: { tables: {} } } }),
      'DeploymentStateInvalidError',
    ],
    [
      'a stage that is not one',
      (text: string) => JSON.stringify({ ...JSON.parse(text), stage: '../prod' }),
      'DeploymentStateInvalidError',
    ],
  ])('%s: %s, exit 2, the file byte for byte as it was', async (_name, spoil, error) => {
    const state = await copyOfState();
    await writeFile(state, spoil(await readFile(state, 'utf8')));
    const before = await sha256(state);
    const settings = await fileWith(`mode-${copies}.json`, { mode: 'dry-run' });

    const pushed = await cordon('settings', 'push', '--sandbox', state, settings, '--yes');
    const listed = await cordon('incidents', 'list', '--sandbox', state);

    expect([pushed.code, listed.code]).toEqual([2, 2]);
    expect(pushed.err[0]).toMatch(new RegExp(`^cordon: ${error}: `));
    expect(listed.err[0]).toMatch(new RegExp(`^cordon: ${error}: `));
    expect(await sha256(state)).toBe(before);
  });

  it('--sandbox with --stage, with --region, or neither given, is a usage error', async () => {
    const state = await copyOfState();
    const before = await sha256(state);

    const both = await cordon('settings', 'pull', '--sandbox', state, '--stage', 'prod');
    const region = await cordon('incidents', 'list', '--sandbox', state, '--region', 'eu-west-1');
    const neither = await cordon('evidence', '--from', '7d');

    expect([both.code, region.code, neither.code]).toEqual([2, 2, 2]);
    expect(both.err[0]).toBe(
      'cordon: settings pull takes --stage <stage> or --sandbox <state.json>, not both.',
    );
    expect(region.err[0]).toContain('--sandbox takes no --region');
    expect(neither.err[0]).toBe('cordon: evidence needs --stage <stage> or --sandbox <state.json>.');
    expect(await sha256(state)).toBe(before);
  });

  it('restores the stores faithfully: opened and taken again, the state is the same JSON, byte for byte', async () => {
    const text = await readFile(saved, 'utf8');
    const opened = await openSavedSandbox(await readDeploymentStateFile(saved));

    expect(opened.changed()).toBe(false);
    expect(`${JSON.stringify(opened.current())}\n`).toBe(text);
    // Parameter versions and dates come back as SSM answers them (a Date, the version the ledger's reads saw).
    const parameters = opened.sandbox.ssm.snapshot().parameters;
    expect(parameters['/cordon/local/settings/mode']).toMatchObject({ value: 'enforce', version: 1 });
    expect(parameters['/cordon/local/settings/mode']?.lastModifiedDate).toBeInstanceOf(Date);
  });

  it('a state saved before the id counter was kept goes on past every id it holds', async () => {
    const text = await readFile(saved, 'utf8');
    const { idsIssued, ...older } = JSON.parse(text);

    const opened = await openSavedSandbox(older);
    const next = opened.sandbox.account.context.nextId('sg');

    expect(idsIssued).toBeGreaterThan(0);
    expect(opened.sandbox.account.idsIssued()).toBeGreaterThan(0);
    expect(text).not.toContain(next);
  });

  it('a write leaves no temporary file beside the state', async () => {
    const state = await copyOfState();
    const settings = await fileWith('mode-tmp.json', { mode: 'notify-only' });

    const pushed = await cordon('settings', 'push', '--sandbox', state, settings, '--yes');

    expect(pushed.code, pushed.err.join('\n')).toBe(0);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

// `cordon release --sandbox` (branch release-cli) starts its playbook with this same StartExecution through the
// saved stage every operator command uses (packages/cli/src/aws/saved-stage.ts).
describe('StartExecution on a saved scenario (what cordon release sends)', () => {
  const EC2_RELEASE = 'arn:aws:states:us-east-1:883606788610:stateMachine:cordon-local-ec2-release';
  const RELEASE = `${INCIDENT}-release-2`;

  /** The input a responder gives ec2-release: the last containment's, with the release playbook decided. */
  async function releaseInput(state: string): Promise<string> {
    const saved = JSON.parse(await readFile(state, 'utf8')) as {
      sandbox: { SFN: { executions: Record<string, { stateMachineArn: string; input: string }> } };
    };
    const containment = Object.values(saved.sandbox.SFN.executions)
      .filter((execution) => execution.stateMachineArn.endsWith(':cordon-local-ec2-compromise'))
      .at(-1);
    const input = JSON.parse(containment?.input ?? '{}');
    return JSON.stringify({ ...input, decision: { ...input.decision, playbook: 'ec2-release' } });
  }

  it('runs ec2-release on the restored deployment until it waits for approval: saved RUNNING, the approval pending, shown by incidents show', async () => {
    const state = await copyOfState();
    const before = JSON.parse(await readFile(state, 'utf8'));
    const stage = await openSavedStage(state);

    const started = await stage.target.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: EC2_RELEASE,
        name: RELEASE,
        input: await releaseInput(state),
      }),
    );
    const wrote = await stage.commit();

    expect(started.executionArn).toBe(`${EC2_RELEASE.replace(':stateMachine:', ':execution:')}:${RELEASE}`);
    expect(wrote).toBe(true);
    const after = JSON.parse(await readFile(state, 'utf8'));
    expect(after.sandbox.SFN.executions[started.executionArn as string]).toMatchObject({
      name: RELEASE,
      status: 'RUNNING',
      startDate: before.clock,
    });
    expect(after.sandbox.SFN.executions[started.executionArn as string]).not.toHaveProperty('stopDate');
    expect(after.pendingApprovals.slice(0, before.pendingApprovals.length)).toEqual(before.pendingApprovals);
    const pending = after.pendingApprovals.slice(before.pendingApprovals.length);
    expect(pending).toEqual([expect.objectContaining({ executionName: RELEASE, incidentId: INCIDENT })]);
    const approvals = after.sandbox.DynamoDB.tables['cordon-local-approvals'].items as Record<
      string,
      { S?: string }
    >[];
    const record = approvals.find((item) => item.approvalId?.S === pending[0].approvalId);
    expect(record?.status?.S).toBe('pending');
    // The release ran its steps up to the approval on the restored engine: the instance is still contained.
    expect(after.executions.at(-1)).toMatchObject({ name: RELEASE, playbook: 'ec2-release' });
    // Ids go on from the saved counter: the new approval's never repeats a saved one.
    expect(after.idsIssued).toBeGreaterThan(before.idsIssued);
    expect(approvals.filter((item) => item.approvalId?.S === pending[0].approvalId)).toHaveLength(1);
    expect(after.sandbox.EC2).toEqual(before.sandbox.EC2);

    // incidents show lists the executions triage started (the ledger), and every approval of the incident: the
    // release's request is there, pending, as after a real StartExecution nobody has approved yet.
    const view = await json<{
      approvals: { record: { approvalId: string; status: string; playbook?: string; step: string } }[];
    }>('incidents', 'show', INCIDENT, '--sandbox', state, '--json');
    expect(view.approvals.map((approval) => approval.record)).toContainEqual(
      expect.objectContaining({
        approvalId: pending[0].approvalId,
        status: 'pending',
        playbook: 'ec2-release',
        step: pending[0].step,
      }),
    );
    const text = await cordon('incidents', 'show', INCIDENT, '--sandbox', state);
    expect(text.code).toBe(0);
    expect(text.text).toContain('waiting for a decision until');
  });

  it('an approval saved while its execution waited cannot be answered from the file: SavedExecutionNotResumableError, nothing changed', async () => {
    const state = await copyOfState();
    const first = await openSavedStage(state);
    await first.target.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: EC2_RELEASE,
        name: RELEASE,
        input: await releaseInput(state),
      }),
    );
    await first.commit();
    const before = await sha256(state);
    const saved = JSON.parse(await readFile(state, 'utf8'));
    const token = (
      saved.sandbox.DynamoDB.tables['cordon-local-approvals'].items as Record<string, { S?: string }>[]
    ).find((item) => item.status?.S === 'pending')?.taskToken?.S;
    expect(token).toBeDefined();
    const stage = await openSavedStage(state);

    const success = stage.target.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    await expect(success).rejects.toMatchObject({ name: 'SavedExecutionNotResumableError' });
    const failure = stage.target.sfn.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'ApprovalRejected', cause: 'no' }),
    );
    await expect(failure).rejects.toMatchObject({
      name: 'SavedExecutionNotResumableError',
      message: expect.stringContaining('cannot go on with it'),
    });

    expect(await stage.commit()).toBe(false);
    expect(await sha256(state)).toBe(before);
  });

  it('JSON the playbook cannot use is started, as Step Functions starts it, and fails: saved FAILED, nothing else changed', async () => {
    const state = await copyOfState();
    const before = JSON.parse(await readFile(state, 'utf8'));
    const stage = await openSavedStage(state);

    await stage.target.sfn.send(
      new StartExecutionCommand({ stateMachineArn: EC2_RELEASE, name: RELEASE, input: '{"incident":{}}' }),
    );
    await stage.commit();

    const after = JSON.parse(await readFile(state, 'utf8'));
    const execution = Object.values(after.sandbox.SFN.executions).find(
      (candidate) => (candidate as { name: string }).name === RELEASE,
    );
    expect(execution).toMatchObject({ status: 'FAILED', stopDate: before.clock });
    expect(after.sandbox.EC2).toEqual(before.sandbox.EC2);
    expect(after.sandbox.IAM).toEqual(before.sandbox.IAM);
    expect(after.pendingApprovals).toEqual(before.pendingApprovals);
  });

  it.each([
    [
      'an unknown state machine',
      { stateMachineArn: `${EC2_RELEASE}-nope`, input: '{}' },
      'StateMachineDoesNotExist',
    ],
    [
      'an input that is not JSON',
      { stateMachineArn: EC2_RELEASE, input: '{"incident":' },
      'InvalidExecutionInput',
    ],
    [
      'a name StartExecution refuses',
      { stateMachineArn: EC2_RELEASE, input: '{}', name: 'bad name' },
      'InvalidName',
    ],
  ])('%s is refused (%s) and the file is byte for byte as it was', async (_case, request, error) => {
    const state = await copyOfState();
    const before = await sha256(state);
    const stage = await openSavedStage(state);

    const started = stage.target.sfn.send(new StartExecutionCommand({ name: RELEASE, ...request }));

    await expect(started).rejects.toMatchObject({ name: error });
    expect(await stage.commit()).toBe(false);
    expect(await sha256(state)).toBe(before);
  });
});

// Issue 15's done-when for release: `cordon release <id> --sandbox s.json --yes` through the CLI entry, on the state
// `cordon scenario --save` wrote, as a responder runs it.
describe('cordon release on a saved scenario', () => {
  it('ec2-release: the file holds the release RUNNING with its approval pending; incidents show lists it; a second call is refused, the file unchanged', async () => {
    const state = await copyOfState();
    const before = JSON.parse(await readFile(state, 'utf8'));

    const released = await cordon('release', INCIDENT, '--sandbox', state, '--yes');

    expect(released.code, released.err.join('\n')).toBe(0);
    expect(released.err).toContain(`Saved the changes to ${state}.`);
    // The scenario's own release was the first one: this is the second, under the same naming.
    const name = `${INCIDENT}-release-2`;
    expect(released.text).toContain(`Started ec2-release as execution ${name}.`);
    expect(released.text).toContain(`Or: cordon incidents show ${INCIDENT} --sandbox ${state}`);
    const after = JSON.parse(await readFile(state, 'utf8'));
    const arn = `arn:aws:states:us-east-1:883606788610:execution:cordon-local-ec2-release:${name}`;
    expect(after.sandbox.SFN.executions[arn]).toMatchObject({ name, status: 'RUNNING' });
    const input = JSON.parse(after.sandbox.SFN.executions[arn].input);
    expect(input.decision).toMatchObject({
      playbook: 'ec2-release',
      approval: 'required',
      steps: ['request-approval', 'release-instance', 'notify'],
      reason: expect.stringContaining('cordon-sandbox-operator'),
    });
    const pending = after.pendingApprovals.slice(before.pendingApprovals.length);
    expect(pending).toEqual([expect.objectContaining({ executionName: name, incidentId: INCIDENT })]);
    // Nothing is released before someone approves.
    expect(after.sandbox.EC2).toEqual(before.sandbox.EC2);

    const view = await json<{
      executions: { name: string; status: string; playbook?: string }[];
      approvals: { record: { approvalId: string; status: string; playbook?: string } }[];
    }>('incidents', 'show', INCIDENT, '--sandbox', state, '--json');
    expect(view.executions).toContainEqual(expect.objectContaining({ name, status: 'RUNNING' }));
    expect(view.approvals.map((approval) => approval.record)).toContainEqual(
      expect.objectContaining({
        approvalId: pending[0].approvalId,
        status: 'pending',
        playbook: 'ec2-release',
      }),
    );
    const text = await cordon('incidents', 'show', INCIDENT, '--sandbox', state);
    expect(text.text).toContain(name);

    const saved = await sha256(state);
    const again = await cordon('release', INCIDENT, '--sandbox', state, '--yes');
    expect(again.code).toBe(1);
    expect(again.err[0]).toMatch(
      new RegExp(
        `^cordon: ReleaseInProgressError: A release of ${INCIDENT} is in progress: ec2-release execution ${name}`,
      ),
    );
    expect(await sha256(state)).toBe(saved);
  });

  it('an unknown incident, a bad id, no --yes without a terminal: each refused by name, the file byte for byte as it was', async () => {
    const state = await copyOfState();
    const before = await sha256(state);

    const unknown = await cordon(
      'release',
      'guardduty-000000000000-us-east-1-nope',
      '--sandbox',
      state,
      '--yes',
    );
    const bad = await cordon('release', 'not an id', '--sandbox', state, '--yes');
    const unconfirmed = await cordon('release', INCIDENT, '--sandbox', state);

    expect([unknown.code, bad.code, unconfirmed.code]).toEqual([1, 2, 2]);
    expect(unknown.err[0]).toMatch(
      /^cordon: IncidentNotFoundError: Incident guardduty-000000000000-us-east-1-nope is not in the ledger/,
    );
    expect(bad.err[0]).toContain('is not an incident id');
    expect(unconfirmed.err[0]).toMatch(/^cordon: ConfirmationRequiredError: /);
    expect(await sha256(state)).toBe(before);
  });

  it("the scenario's own release step asked approval for the release's steps, not the containment's", async () => {
    const stored = JSON.parse(await readFile(saved, 'utf8'));
    const approvals = stored.sandbox.DynamoDB.tables['cordon-local-approvals'].items as Record<
      string,
      { S?: string; L?: { S: string }[] }
    >[];

    const release = approvals.find((item) => item.playbook?.S === 'ec2-release');

    expect(release?.step?.S).toBe('release-instance');
    expect(release?.actions?.L?.map((action) => action.S)).toEqual([
      'request-approval',
      'release-instance',
      'notify',
    ]);
    expect(release?.reason?.S).toBe("Release requested by a responder with the scenario's release step 4.");
    // Named as cordon release names releases, so a later cordon release finds it (and goes on as release-2).
    expect(release?.executionArn?.S).toMatch(new RegExp(`:cordon-local-ec2-release:${INCIDENT}-release-1$`));
  });

  it('nothing to release (the containment was rejected) and already released: refused by name, the file unchanged', async () => {
    const rejected = join(dir, 'rejected.json');
    const releasedTwice = join(dir, 'released.json');
    const event = join(
      SHIPPED,
      '..',
      'events',
      'guardduty',
      'eb-ec2-backdoor-cc-activity-b-dns-custodian.json',
    );
    const deliver = { deliver: event, includeSamples: true };
    const played = [
      await cordon(
        'scenario',
        await fileWith('rejected-scenario.json', { steps: [deliver, { decide: 'reject' }] }),
        '--save',
        rejected,
      ),
      await cordon(
        'scenario',
        await fileWith('released-scenario.json', {
          steps: [deliver, { decide: 'approve' }, { release: 'last' }, { decide: 'approve' }],
        }),
        '--save',
        releasedTwice,
      ),
    ];
    expect(played.map((result) => result.code)).toEqual([0, 0]);
    const before = [await sha256(rejected), await sha256(releasedTwice)];

    const nothing = await cordon('release', INCIDENT, '--sandbox', rejected, '--yes');
    const already = await cordon('release', INCIDENT, '--sandbox', releasedTwice, '--yes');

    expect([nothing.code, already.code]).toEqual([1, 1]);
    expect(nothing.err[0]).toMatch(/^cordon: NothingToReleaseError: Nothing to release for incident /);
    expect(already.err[0]).toMatch(
      new RegExp(
        `^cordon: AlreadyReleasedError: Incident ${INCIDENT} was released already: release-instance done`,
      ),
    );
    expect([await sha256(rejected), await sha256(releasedTwice)]).toEqual(before);
  });

  it('credential-release: a principal contained by a scenario is released from the saved state, its approval pending', async () => {
    const state = join(dir, 'credential.json');
    const event = join(SHIPPED, '..', 'events', 'guardduty', 'eb-iam-toripcaller-custodian.json');
    const played = await cordon(
      'scenario',
      await fileWith('credential-scenario.json', {
        steps: [{ deliver: event, includeSamples: true }, { decide: 'approve' }],
      }),
      '--save',
      state,
      '--json',
    );
    expect(played.code, played.err.join('\n')).toBe(0);
    const report = JSON.parse(played.text) as {
      steps: { deliveries?: { incident: string; decision?: { playbook: string } }[] }[];
    };
    const delivery = report.steps[0]?.deliveries?.[0];
    expect(delivery?.decision?.playbook).toBe('credential-compromise');
    const incident = delivery?.incident as string;
    const before = JSON.parse(await readFile(state, 'utf8'));

    const released = await cordon('release', incident, '--sandbox', state, '--yes');

    expect(released.code, released.err.join('\n')).toBe(0);
    const name = `${incident}-release-1`;
    expect(released.text).toContain(`Started credential-release as execution ${name}.`);
    expect(released.text).toContain('Access keys stay inactive and console access stays removed');
    const after = JSON.parse(await readFile(state, 'utf8'));
    const arn = `arn:aws:states:us-east-1:883606788610:execution:cordon-local-credential-release:${name}`;
    expect(after.sandbox.SFN.executions[arn]).toMatchObject({ name, status: 'RUNNING' });
    expect(after.pendingApprovals.slice(before.pendingApprovals.length)).toEqual([
      expect.objectContaining({ executionName: name, incidentId: incident, step: 'release-credentials' }),
    ]);
    // Nothing undone before someone approves: the deny policy is as containment left it.
    expect(after.sandbox.IAM).toEqual(before.sandbox.IAM);
    const view = await json<{ executions: { name: string; status: string }[] }>(
      'incidents',
      'show',
      incident,
      '--sandbox',
      state,
      '--json',
    );
    expect(view.executions).toContainEqual(expect.objectContaining({ name, status: 'RUNNING' }));
  });
});
