import { readFile } from 'node:fs/promises';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createSettingsLoader } from '@cordon/functions/settings';
import { sandboxClient } from '@cordon/local/clients';
import { describe, expect, it } from 'vitest';
import {
  OPERATORS,
  type OperationsDay,
  operationsDay,
  operationsDayStart,
  PUSHED_SETTINGS,
  STAGE,
  writeOnce,
} from '../scripts/operations-day.ts';
import { PUSHED_AT_TAG, PUSHED_BY_TAG } from '../src/commands/parameters.ts';

const SETTINGS = '/cordon/local/settings/';

function ssmState(day: OperationsDay) {
  return day.sandbox.ssm.snapshot().parameters;
}

/** The SSM and DynamoDB writes any principal made (settings parameters, the ledger). */
function writesSince(day: OperationsDay, index: number) {
  return day.sandbox.account.calls
    .slice(index)
    .filter((call) =>
      ['PutParameter', 'DeleteParameters', 'AddTagsToResource', 'PutItem'].includes(call.command),
    );
}

async function effective(day: OperationsDay) {
  return createSettingsLoader({
    stage: STAGE,
    maxAgeSeconds: 0,
    ssmClient: sandboxClient(day.sandbox, SSMClient, { region: day.deployment.region }),
  }).load();
}

describe('cordon settings check (offline)', () => {
  it('accepts a valid subset and names what it sets', async () => {
    const day = await operationsDayStart();
    const file = writeOnce('valid.json', { mode: 'dry-run', severity: { autoRemediateAt: 8 } });

    const result = await day.run('cordon-operator', ['settings', 'check', file]);

    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/valid settings \(2 named: mode, severity\/auto-remediate-at\)/);
  });

  it('names every problem — unknown key, wrong type, out of range — with the loader’s messages, and exits 1', async () => {
    const day = await operationsDayStart();
    const file = writeOnce('invalid.json', {
      mode: 'dryrun',
      severity: { autoRemediateAt: 11, approvalAt: '4' },
      sevrity: {},
    });

    const result = await day.run('cordon-operator', ['settings', 'check', file, '--json']);

    expect(result.code).toBe(1);
    const report = JSON.parse(result.out[0] ?? '{}');
    expect(report.valid).toBe(false);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        "mode: must be one of 'enforce', 'dry-run', 'notify-only'",
        'severity.autoRemediateAt: must be between 0 and 10',
        'severity.approvalAt: must be of type number, got string',
        'sevrity: unknown setting',
      ]),
    );
  });

  it('refuses a value the loader would read back otherwise (a number SSM would hold as 1e-7)', async () => {
    const day = await operationsDayStart();
    const file = writeOnce('tiny.json', { severity: { ignoreBelow: 0.0000001 } });

    const result = await day.run('cordon-operator', ['settings', 'check', file]);

    expect(result.code).toBe(1);
    expect(result.out.join('\n')).toContain('severity/ignore-below: "1e-7" is not a number');
  });

  it('reports a file that is not JSON or not an object as a problem of the file (exit 1), a missing file as usage (exit 2)', async () => {
    const day = await operationsDayStart();
    const notJson = writeOnce('not-json.json', 'x');
    await import('node:fs/promises').then((fs) => fs.writeFile(notJson, '{ mode: dry-run'));

    const broken = await day.run('cordon-operator', ['settings', 'check', notJson]);
    const array = await day.run('cordon-operator', ['settings', 'check', writeOnce('array.json', [1])]);
    const missing = await day.run('cordon-operator', ['settings', 'check', '/nonexistent/settings.json']);

    expect([broken.code, array.code, missing.code]).toEqual([1, 1, 2]);
    expect(broken.out.join('\n')).toMatch(/is not valid JSON/);
    expect(array.out.join('\n')).toMatch(/must hold a JSON object/);
    // A missing file is named (InputFileNotFoundError, exit 2 as a refused input), without the general usage.
    expect(missing.err[0]).toMatch(
      /^cordon: InputFileNotFoundError: Cannot read \/nonexistent\/settings.json \(ENOENT\)/,
    );
    expect(missing.err.join('\n')).not.toContain('Usage:');
  });
});

describe('cordon settings pull', () => {
  it('shows the effective settings with the version the ledger records for decisions made under them', async () => {
    const day = await operationsDay();
    const loaded = await effective(day);

    const result = await day.run('cordon-operator', ['settings', 'pull', '--stage', STAGE, '--json']);

    expect(result.code).toBe(0);
    const pulled = JSON.parse(result.out[0] ?? '{}');
    expect(pulled).toMatchObject({
      stage: STAGE,
      ok: true,
      version: loaded.version,
      settings: loaded.settings,
    });
    const decisions = day.sandbox.dynamodb
      .items('cordon-local-ledger')
      .filter((item) => item.step?.S === 'triage' && item.incidentId?.S === day.incidents.commandAndControl);
    expect(decisions.map((item) => item.settingsVersion?.S)).toEqual([pulled.version]);
  });

  it('writes a file that push takes back without a change (--out)', async () => {
    const day = await operationsDay();
    const out = writeOnce('pulled.json', {});

    const pulled = await day.run('cordon-operator', ['settings', 'pull', '--stage', STAGE, '--out', out]);
    const pushed = await day.run('cordon-settings-admin', [
      'settings',
      'push',
      '--stage',
      STAGE,
      out,
      '--yes',
    ]);

    expect(pulled.code).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject(PUSHED_SETTINGS);
    expect(pushed.code).toBe(0);
    expect(pushed.out[0]).toMatch(/^Nothing to push: \/cordon\/local\/settings\/ already holds these values/);
  });

  it('says the stored settings are invalid and that Cordon fails closed, with each problem', async () => {
    const day = await operationsDayStart();
    day.sandbox.ssm.putParameter({ name: `${SETTINGS}severity/auto-remediate-at`, value: 'eleven' });

    const result = await day.run('cordon-operator', ['settings', 'pull', '--stage', STAGE]);

    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(
      /INVALID — Cordon runs fail closed \(notify-only\) under version [0-9a-f]{12}/,
    );
    expect(result.out[1]).toBe('  - severity/auto-remediate-at: "eleven" is not a number');
  });

  it('names a stage that is not deployed (StageNotFoundError, exit 1)', async () => {
    const day = await operationsDayStart();
    // The operator's policy names stage local only: without IAM evaluation, the read reaches SSM and finds nothing.
    day.sandbox.account.authorizeWith(undefined);

    const result = await day.run('cordon-operator', ['settings', 'pull', '--stage', 'prod']);

    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/^cordon: StageNotFoundError: Stage prod not found in eu-west-1/);
  });
});

describe('cordon settings diff and push', () => {
  it('shows only what changes and the version before and after', async () => {
    const day = await operationsDayStart();
    const file = writeOnce('diff.json', { mode: 'enforce', severity: { autoRemediateAt: 8 } });

    const result = await day.run('cordon-operator', ['settings', 'diff', '--stage', STAGE, file]);

    expect(result.code).toBe(0);
    expect(result.out).toContain('  ~ severity/auto-remediate-at: "7" → "8"');
    expect(result.out.some((line) => line.includes(' mode:'))).toBe(false);
    expect(result.out.at(-1)).toMatch(
      /^Effective settings: version [0-9a-f]{12}, valid → version [0-9a-f]{12}, valid\.$/,
    );
  });

  it('pushes only the parameters that change, tags each with who pushed and when, and records the version', async () => {
    const day = await operationsDayStart();
    const before = ssmState(day);
    const file = writeOnce('push.json', { mode: 'enforce', severity: { autoRemediateAt: 8 } });
    const mark = day.sandbox.account.calls.length;

    const result = await day.run('cordon-settings-admin', [
      'settings',
      'push',
      '--stage',
      STAGE,
      file,
      '--yes',
    ]);

    expect(result.code, result.err.join('\n')).toBe(0);
    expect(writesSince(day, mark).map((call) => `${call.command} ${JSON.stringify(call.input)}`)).toEqual([
      expect.stringMatching(/^PutParameter .*severity\/auto-remediate-at/),
      expect.stringMatching(/^AddTagsToResource .*severity\/auto-remediate-at/),
      expect.stringMatching(/^PutItem .*settings#/),
    ]);
    const after = ssmState(day);
    expect(after[`${SETTINGS}mode`]).toEqual(before[`${SETTINGS}mode`]);
    expect(after[`${SETTINGS}severity/auto-remediate-at`]).toMatchObject({
      value: '8',
      version: 2,
      tags: {
        [PUSHED_BY_TAG]: 'arn:aws:sts::111122223333:assumed-role/cordon-settings-admin/sandbox',
        [PUSHED_AT_TAG]: '2026-11-20T09:00:00.000Z',
      },
    });
    const loaded = await effective(day);
    expect(loaded.settings.severity.autoRemediateAt).toBe(8);
    const record = day.sandbox.dynamodb.getItem('cordon-local-ledger', {
      incidentId: { S: `settings#${loaded.version}` },
      sk: { S: '~settings' },
    });
    expect(record?.recordedBy?.S).toBe(
      'arn:aws:sts::111122223333:assumed-role/cordon-settings-admin/sandbox',
    );
    expect(result.out.join('\n')).toContain(`settings version`);
  });

  it('refuses an invalid file before anything is read or written (exit 2, every problem named)', async () => {
    const day = await operationsDayStart();
    const before = ssmState(day);
    const mark = day.sandbox.account.calls.length;
    const file = writeOnce('bad.json', { mode: 'off', severity: { approvalAt: 12 } });

    const result = await day.run('cordon-settings-admin', [
      'settings',
      'push',
      '--stage',
      STAGE,
      file,
      '--yes',
    ]);

    expect(result.code).toBe(2);
    expect(result.err[0]).toBe(`cordon: InputInvalidError: ${file} is not valid: nothing was written.`);
    expect(result.err.slice(1)).toEqual([
      "  - mode: must be one of 'enforce', 'dry-run', 'notify-only'",
      '  - severity.approvalAt: must be between 0 and 10',
      '  - severity: must satisfy ignoreBelow ≤ approvalAt ≤ autoRemediateAt (got 0 ≤ 12 ≤ 7)',
    ]);
    expect(day.sandbox.account.calls.slice(mark)).toEqual([]);
    expect(ssmState(day)).toEqual(before);
  });

  it('refuses a push whose result would fail closed (--delete without mode), writing nothing', async () => {
    const day = await operationsDayStart();
    const before = ssmState(day);
    const mark = day.sandbox.account.calls.length;
    const file = writeOnce('partial.json', { severity: { autoRemediateAt: 8 } });

    const result = await day.run('cordon-settings-admin', [
      'settings',
      'push',
      '--stage',
      STAGE,
      file,
      '--delete',
      '--yes',
    ]);

    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(/Not pushed: the settings after this push would be invalid/);
    expect(result.err).toContain('  - mode: required parameter /cordon/local/settings/mode is missing');
    expect(writesSince(day, mark)).toEqual([]);
    expect(ssmState(day)).toEqual(before);
  });

  it('deletes only with --delete: the parameters the file does not name', async () => {
    const day = await operationsDayStart();
    day.sandbox.ssm.putParameter({ name: `${SETTINGS}approval/slack-channel`, value: 'C0123' });
    const pulled = writeOnce('full.json', {});
    await day.run('cordon-operator', ['settings', 'pull', '--stage', STAGE, '--out', pulled]);
    const full = JSON.parse(await readFile(pulled, 'utf8'));
    delete full.approval.slackChannel;
    const file = writeOnce('without-channel.json', full);

    const kept = await day.run('cordon-settings-admin', ['settings', 'diff', '--stage', STAGE, file]);
    const deleted = await day.run('cordon-settings-admin', [
      'settings',
      'push',
      '--stage',
      STAGE,
      file,
      '--delete',
      '--yes',
    ]);

    expect(kept.out).toContain('  No changes: SSM already holds these values.');
    expect(kept.out.join('\n')).toMatch(/Kept \(not named by the file; --delete deletes them\): 1 parameter/);
    expect(deleted.code, deleted.err.join('\n')).toBe(0);
    expect(deleted.out).toContain('  - approval/slack-channel: "C0123" (deleted)');
    expect(ssmState(day)[`${SETTINGS}approval/slack-channel`]).toBeUndefined();
  });

  it('without a terminal and without --yes refuses (exit 2), writing nothing', async () => {
    const day = await operationsDayStart();
    const mark = day.sandbox.account.calls.length;
    const file = writeOnce('quiet.json', { mode: 'dry-run' });

    const result = await day.run('cordon-settings-admin', ['settings', 'push', '--stage', STAGE, file], {
      interactive: false,
    });

    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(/ConfirmationRequiredError: Not pushed: no terminal to confirm on/);
    expect(writesSince(day, mark)).toEqual([]);
  });

  it('asks on a terminal: "n" writes nothing, "y" pushes', async () => {
    const day = await operationsDayStart();
    const file = writeOnce('asked.json', { mode: 'dry-run' });
    const questions: string[] = [];
    const answering = (answer: string) => ({
      interactive: true,
      ask: async (question: string) => {
        questions.push(question);
        return answer;
      },
    });

    const declined = await day.run(
      'cordon-settings-admin',
      ['settings', 'push', '--stage', STAGE, file],
      answering('n'),
    );
    const modeAfterNo = ssmState(day)[`${SETTINGS}mode`]?.value;
    const accepted = await day.run(
      'cordon-settings-admin',
      ['settings', 'push', '--stage', STAGE, file],
      answering('y'),
    );

    expect(questions).toEqual([
      'Push 1 change to stage local? [y/N] ',
      'Push 1 change to stage local? [y/N] ',
    ]);
    expect([declined.code, modeAfterNo]).toEqual([1, 'enforce']);
    expect(declined.out.at(-1)).toBe('Not pushed: nothing was written.');
    expect(accepted.code).toBe(0);
    expect(ssmState(day)[`${SETTINGS}mode`]?.value).toBe('dry-run');
  });

  it('a fault mid-way is reported with what was written and what was not, and a second push finishes the job', async () => {
    const day = await operationsDayStart();
    const file = writeOnce('two.json', { mode: 'dry-run', severity: { autoRemediateAt: 8 } });
    day.sandbox.account.injectFault({
      service: 'SSM',
      command: 'PutParameter',
      error: 'ThrottlingException',
      times: 1,
    });
    // The first PutParameter (mode) is refused: nothing written.
    const first = await day.run('cordon-settings-admin', [
      'settings',
      'push',
      '--stage',
      STAGE,
      file,
      '--yes',
    ]);
    day.sandbox.account.injectFault({
      service: 'SSM',
      command: 'AddTagsToResource',
      error: 'ThrottlingException',
      times: 1,
    });

    const second = await day.run('cordon-settings-admin', [
      'settings',
      'push',
      '--stage',
      STAGE,
      file,
      '--yes',
    ]);
    const third = await day.run('cordon-settings-admin', [
      'settings',
      'push',
      '--stage',
      STAGE,
      file,
      '--yes',
    ]);

    expect(first.code).toBe(1);
    expect(first.err.join('\n')).toMatch(
      /AwsCallFailedError: ssm:PutParameter on \/cordon\/local\/settings\/mode failed: ThrottlingException: .* Nothing was written\.$/,
    );
    expect(second.code).toBe(1);
    expect(second.err.join('\n')).toMatch(/Written, but who pushed is not recorded on: mode\./);
    expect(second.err.join('\n')).toMatch(/Not changed: severity\/auto-remediate-at\./);
    expect(third.code, third.err.join('\n')).toBe(0);
    expect(third.out.join('\n')).toContain('~ severity/auto-remediate-at: "7" → "8"');
    expect((await effective(day)).settings).toMatchObject({
      mode: 'dry-run',
      severity: { autoRemediateAt: 8 },
    });
  });

  it('a read-only operator is refused by IAM at the first write, named with the action it lacks', async () => {
    const day = await operationsDayStart();
    const before = ssmState(day);
    const file = writeOnce('by-operator.json', { mode: 'dry-run' });

    const result = await day.run('cordon-operator', ['settings', 'push', '--stage', STAGE, file, '--yes']);

    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(
      /^cordon: AccessDeniedError: Access denied: the caller lacks ssm:PutParameter on \/cordon\/local\/settings\/mode .* Nothing was written\.$/,
    );
    expect(ssmState(day)).toEqual(before);
    expect(OPERATORS['cordon-operator'].arn).toBe('arn:aws:iam::111122223333:role/cordon-operator');
  });
});
