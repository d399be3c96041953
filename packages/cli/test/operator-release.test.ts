import { parseDenyPolicy } from '@cordon/core/actions/deny-policy';
import type { LedgerEntry } from '@cordon/core/ledger/ledger';
import { releaseExecutionInput as releaseInput } from '@cordon/core/playbooks/release-input';
import { automaticApprovals } from '@cordon/local/engine';
import { ApprovalRejectedError } from '@cordon/local/errors';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, type OperationsDay, operationsDay, STAGE } from '../scripts/operations-day.ts';
import { releaseStateOf } from '../src/commands/incident-view.ts';
import { chooseRelease, releaseExecutionName } from '../src/commands/release-plan.ts';

/**
 * `cordon release` over the sandbox: the real command, its real SDK clients attached to the day's local deployment
 * (sandboxStage) as the responder role, the release playbook run by the local engine. One day for the whole file,
 * the tests in order: refusals first (each starts nothing), then the releases.
 */
let day: OperationsDay;

beforeAll(async () => {
  day = await operationsDay();
});

const starts = () => day.sandbox.account.calls.filter((call) => call.command === 'StartExecution').length;

async function release(argv: readonly string[], io: Parameters<OperationsDay['run']>[2] = {}) {
  return day.run('cordon-responder', ['release', ...argv], io);
}

interface IamUser {
  readonly accessKeys: ReadonlyArray<{ accessKeyId: string; status: string }>;
  readonly inlinePolicies: Readonly<Record<string, string>>;
}

const torUser = () =>
  (day.sandbox.iam.snapshot() as unknown as { users: Record<string, IamUser> }).users
    .GeneratedFindingUserName;

describe('cordon release: refusals start nothing', () => {
  it('names a usage error: no id, a malformed id, no --stage (exit 2)', async () => {
    const before = starts();
    for (const argv of [
      ['--stage', STAGE],
      ['not an id!', '--stage', STAGE],
      [day.incidents.torCaller ?? ''],
    ]) {
      const result = await release(argv);
      expect(result.code, argv.join(' ')).toBe(2);
    }
    expect(starts()).toBe(before);
  });

  it('an incident the ledger does not hold: IncidentNotFoundError (exit 1)', async () => {
    const result = await release(['guardduty-111122223333-eu-west-1-0000', '--stage', STAGE, '--yes']);

    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toContain('IncidentNotFoundError');
  });

  it("another stage than the responder's: AccessDeniedError naming the read (its policy is its stage's own)", async () => {
    const result = await release([day.incidents.torCaller ?? '', '--stage', 'nope', '--yes']);

    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toContain(
      'AccessDeniedError: Access denied: the caller lacks dynamodb:Query on tables cordon-nope-ledger',
    );
  });

  it('an incident that changed nothing: NothingToReleaseError', async () => {
    const result = await release([day.incidents.rootUser ?? '', '--stage', STAGE, '--yes']);

    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(
      /NothingToReleaseError: Nothing to release for incident .*no step changed anything/,
    );
  });

  it('stale keys deactivated: nothing a release undoes, and it says who gives keys back', async () => {
    const result = await release([day.incidents.staleKeys ?? '', '--stage', STAGE, '--yes']);

    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toContain(
      'only deactivate-access-key changed something, which no release undoes',
    );
  });

  it('no terminal and no --yes: ConfirmationRequiredError (exit 2), after showing what it would restore', async () => {
    const before = starts();
    const result = await release([day.incidents.torCaller ?? '', '--stage', STAGE]);

    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toContain('ConfirmationRequiredError');
    expect(result.out).toContain('What a release would restore');
    expect(result.out.join('\n')).toMatch(
      / {2}revoke-sessions \(.*\): \{"principalType":"user","name":"GeneratedFindingUserName"/,
    );
    expect(result.out.join('\n')).toContain('Access keys stay inactive and console access stays removed');
    expect(starts()).toBe(before);
  });

  it('a person who answers no: not started (exit 0)', async () => {
    const before = starts();
    const result = await release([day.incidents.torCaller ?? '', '--stage', STAGE], {
      interactive: true,
      ask: async () => 'n',
    });

    expect(result.code).toBe(0);
    expect(result.err.join('\n')).toContain('not started');
    expect(starts()).toBe(before);
  });

  it('the read-only operator may not start a release: AccessDeniedError naming states:StartExecution', async () => {
    const result = await day.run('cordon-operator', [
      'release',
      day.incidents.torCaller ?? '',
      '--stage',
      STAGE,
      '--yes',
    ]);

    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(
      /AccessDeniedError: Access denied: the caller lacks states:StartExecution/,
    );
    expect(
      day.sandbox.account.calls.some(
        (call) =>
          call.command === 'StartExecution' &&
          call.iam === 'allowed' &&
          (call.principal ?? '').includes('cordon-operator'),
      ),
    ).toBe(false);
  });
});

describe('cordon release: starting the release playbook', () => {
  it("credential-release: started with the documented input, approved, then cordon-deny loses this incident's statement; keys stay inactive", async () => {
    // Prepare
    const id = day.incidents.torCaller ?? '';
    expect(parseDenyPolicy(torUser()?.inlinePolicies['cordon-deny'])?.Statement).toHaveLength(1);
    const keys = torUser()?.accessKeys;

    // Act
    const result = await release([id, '--stage', STAGE, '--yes', '--json']);
    await day.deployment.settle();

    // Assess
    expect(result.code, result.err.join('\n')).toBe(0);
    const started = JSON.parse(result.out.join('\n'));
    expect(started).toMatchObject({
      incidentId: id,
      playbook: 'credential-release',
      executionName: `${id}-release-1`,
      executionArn: `arn:aws:states:eu-west-1:${ACCOUNT}:execution:cordon-local-credential-release:${id}-release-1`,
      consoleUrl: expect.stringContaining(
        '#/v2/executions/details/arn:aws:states:eu-west-1:111122223333:execution:cordon-local-credential-release:',
      ),
      dryRun: false,
    });
    const execution = day.deployment.executions.get(`${id}-release-1`);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'release-credentials',
      'notify',
    ]);
    expect(execution?.input.decision).toMatchObject({
      playbook: 'credential-release',
      approval: 'required',
      steps: ['request-approval', 'release-credentials', 'notify'],
      reason: expect.stringMatching(
        /^Release requested by arn:aws:sts::111122223333:assumed-role\/cordon-responder\/.* with cordon release\.$/,
      ),
      dryRun: false,
    });
    expect(torUser()?.inlinePolicies['cordon-deny']).toBeUndefined();
    expect(torUser()?.accessKeys).toEqual(keys);
  });

  it('a second release of the same incident: AlreadyReleasedError, nothing started', async () => {
    const before = starts();
    const result = await release([day.incidents.torCaller ?? '', '--stage', STAGE, '--yes']);

    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(
      /AlreadyReleasedError: Incident .* was released already: release-credentials done/,
    );
    expect(starts()).toBe(before);
  });

  it('incidents show after the credential release: the release execution listed, "A release ran: release-credentials", nothing left to restore, the key named as not undone', async () => {
    const id = day.incidents.torCaller ?? '';

    const json = await day.run('cordon-responder', ['incidents', 'show', id, '--stage', STAGE, '--json']);
    const text = await day.run('cordon-responder', ['incidents', 'show', id, '--stage', STAGE]);

    expect(json.code, json.err.join('\n')).toBe(0);
    const view = JSON.parse(json.out.join('\n'));
    expect(
      view.executions.map((execution: { name: string; playbook: string; status: string }) => [
        execution.name,
        execution.playbook,
        execution.status,
      ]),
    ).toEqual([
      [id, 'credential-compromise', 'SUCCEEDED'],
      [`${id}-release-1`, 'credential-release', 'SUCCEEDED'],
    ]);
    expect(view.released).toMatchObject({ step: 'release-credentials', outcome: 'done' });
    expect(view.restore).toEqual([]);
    expect(view.notReleased).toContain('deactivate-access-key');
    expect(text.out).toContainEqual(
      expect.stringMatching(/^ {2}A release ran: release-credentials done at /),
    );
    expect(text.out).toContainEqual(
      expect.stringContaining('Not undone by a release: deactivate-access-key'),
    );
    expect(text.out).toContain('  nothing recorded to restore');
  });

  it('ec2-release while another release waits for its approval: ReleaseInProgressError; once rejected, the next one starts as release-2', async () => {
    // Prepare: the approval of the first release waits until the test rejects it.
    const id = day.incidents.commandAndControl ?? '';
    let reject: (() => void) | undefined;
    day.deployment.approvals = () =>
      new Promise((_resolve, fail) => {
        reject = () => fail(new ApprovalRejectedError('not yet: the investigation goes on'));
      });
    const first = await release([id, '--stage', STAGE, '--yes']);
    expect(first.code, first.err.join('\n')).toBe(0);
    expect(first.out.join('\n')).toContain(`Started ec2-release as execution ${id}-release-1.`);

    // Act
    const second = await release([id, '--stage', STAGE, '--yes']);

    // Assess
    expect(second.code).toBe(1);
    expect(second.err.join('\n')).toContain(
      `ReleaseInProgressError: A release of ${id} is in progress: ec2-release execution ${id}-release-1`,
    );
    // The engine reaches the approval on its own time: wait for the request before deciding it.
    while (reject === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    reject();
    await day.deployment.settle();
    expect(day.deployment.executions.get(`${id}-release-1`)?.steps.map((step) => step.id)).not.toContain(
      'release-instance',
    );

    day.deployment.approvals = automaticApprovals('approve');
    const third = await release([id, '--stage', STAGE, '--yes', '--dry-run', '--json']);
    await day.deployment.settle();
    expect(third.code, third.err.join('\n')).toBe(0);
    expect(JSON.parse(third.out.join('\n'))).toMatchObject({
      executionName: `${id}-release-2`,
      dryRun: true,
    });
    const dryRun = day.deployment.executions.get(`${id}-release-2`);
    expect(dryRun?.status).toBe('SUCCEEDED');
    expect(dryRun?.input.target).toEqual(
      expect.objectContaining({ instanceId: expect.stringMatching(/^i-/) }),
    );
    // A dry run released nothing: the instance may still be released for real.
    const fourth = await release([id, '--stage', STAGE, '--yes', '--json']);
    await day.deployment.settle();
    expect(JSON.parse(fourth.out.join('\n')).executionName).toBe(`${id}-release-3`);
    expect(day.deployment.executions.get(`${id}-release-3`)?.steps.map((step) => step.id)).toContain(
      'release-instance',
    );
  });
});

describe('which release, and its execution (release-plan)', () => {
  const entry = (step: string, fields: Partial<LedgerEntry> = {}): LedgerEntry => ({
    incidentId: 'i',
    step: step as LedgerEntry['step'],
    at: '2026-11-20T10:00:00.000Z',
    outcome: 'planned',
    dryRun: false,
    settingsVersion: 'v',
    input: {},
    changes: [],
    restore: {},
    notes: [],
    ...fields,
  });

  it('picks the release by what was changed: an instance, a principal, a posture fix', () => {
    expect(chooseRelease('i', [entry('contain-instance')]).playbook).toBe('ec2-release');
    expect(chooseRelease('i', [entry('deactivate-access-key'), entry('revoke-sessions')])).toMatchObject({
      playbook: 'credential-release',
      kept: ['deactivate-access-key'],
    });
    expect(chooseRelease('i', [entry('revoke-open-ingress')]).playbook).toBe('remediation-release');
  });

  it('a dry-run change is nothing to release; a change after the last release is released again', () => {
    expect(() => chooseRelease('i', [entry('contain-instance', { dryRun: true })])).toThrow(
      /Nothing to release/,
    );
    const released = entry('release-instance', {
      outcome: 'done',
      at: '2026-11-20T11:00:00.000Z',
      restore: undefined,
    });
    expect(() => chooseRelease('i', [entry('contain-instance'), released])).toThrow(/released already/);
    const again = entry('contain-instance', { at: '2026-11-20T12:00:00.000Z' });
    expect(chooseRelease('i', [entry('contain-instance'), released, again]).records).toEqual([again]);
  });

  it('incidents show names the last release of each kind, and restores what cordon release would', () => {
    const later = (step: string, hour: number, fields: Partial<LedgerEntry> = {}) =>
      entry(step, { at: `2026-11-20T${hour}:00:00.000Z`, ...fields });
    const done = { outcome: 'done' as const, restore: undefined };

    const instance = releaseStateOf('i', [
      later('contain-instance', 10),
      later('release-instance', 11, done),
    ]);
    const credential = releaseStateOf('i', [
      later('deactivate-access-key', 10),
      later('revoke-sessions', 10),
      later('release-credentials', 11, done),
    ]);
    const remediation = releaseStateOf('i', [
      later('revoke-open-ingress', 10),
      later('release-remediation', 11, done),
      later('revoke-open-ingress', 12),
    ]);
    const dryRun = releaseStateOf('i', [
      later('revoke-sessions', 10),
      later('release-credentials', 11, { ...done, dryRun: true }),
    ]);

    expect(instance).toMatchObject({ restore: [], released: { step: 'release-instance', outcome: 'done' } });
    expect(credential).toMatchObject({
      restore: [],
      notReleased: ['deactivate-access-key'],
      released: { step: 'release-credentials' },
    });
    // Fixed again after its release: the new fix is what a release would undo.
    expect(remediation.restore).toEqual([
      expect.objectContaining({ step: 'revoke-open-ingress', at: '2026-11-20T12:00:00.000Z' }),
    ]);
    expect(remediation.released).toMatchObject({
      step: 'release-remediation',
      at: '2026-11-20T11:00:00.000Z',
    });
    // A dry-run release undid nothing: the revocation is still to restore.
    expect(dryRun.released).toBeUndefined();
    expect(dryRun.restore.map((restore) => restore.step)).toEqual(['revoke-sessions']);
  });

  it('names executions within the 80 characters Step Functions allows', () => {
    expect(releaseExecutionName('guardduty-abc', 2)).toBe('guardduty-abc-release-2');
    const long = releaseExecutionName('g'.repeat(80), 1);
    expect(long).toMatch(/^release-[0-9a-f]{40}-1$/);
    expect(long.length).toBeLessThanOrEqual(80);
  });

  it('keeps the instance target for ec2-release only, and never approves on a timeout', () => {
    const containment = {
      incident: { id: 'i' },
      target: { instanceId: 'i-1' },
      approval: { required: false, timeoutSeconds: 60, timeoutDefault: 'approve' },
    };
    const ec2 = releaseInput(containment, 'ec2-release', { requestedBy: 'me', dryRun: false });
    const credential = releaseInput(containment, 'credential-release', { requestedBy: 'me', dryRun: true });
    expect(ec2.target).toEqual({ instanceId: 'i-1' });
    expect(credential.target).toEqual({});
    expect(credential.approval).toEqual({ required: true, timeoutSeconds: 60, timeoutDefault: 'reject' });
    expect(credential.decision).toMatchObject({
      dryRun: true,
      steps: ['request-approval', 'release-credentials', 'notify'],
    });
  });
});
