import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  OPERATORS,
  type OperationsDay,
  operationsDay,
  REGION,
  STAGE,
  writeOnce,
} from '../scripts/operations-day.ts';
import { COMMAND_PERMISSIONS, operatorPolicies } from '../src/operator-policies.ts';

/**
 * The operator policies of docs/operations.md, proven: every command is run in the sandbox as the role the docs
 * give it, each AWS call is turned into its IAM requests (checked against the Service Authorization Reference)
 * and evaluated against that role's policy by packages/local/src/iam's evaluator. Every call must be allowed,
 * and every action a policy grants must be needed by some call: nothing granted unused.
 */

const OPERATOR = OPERATORS['cordon-operator'].arn;
const ADMIN = OPERATORS['cordon-settings-admin'].arn;
const RESPONDER = OPERATORS['cordon-responder'].arn;
const DETECTIONS = '/cordon/local/detections/';
const SETTINGS = '/cordon/local/settings/';

let day: OperationsDay;
/** Each run's command line and exit code, so that a failing command is named by the assertion. */
const runs: { role: string; argv: string; code: number; err: string }[] = [];

async function run(role: keyof typeof OPERATORS, argv: string[]) {
  const result = await day.run(role, argv);
  runs.push({ role, argv: argv.join(' '), code: result.code, err: result.err.join('\n') });
  return result;
}

beforeAll(async () => {
  // The day: the settings admin's push (settings push) and five incidents, then every other command.
  day = await operationsDay();
  for (const alarm of ['RootAccountUsage', 'UnauthorizedAPICalls']) {
    day.sandbox.ssm.putParameter({ name: `${DETECTIONS}${alarm}/threshold`, value: '1' });
    day.sandbox.ssm.putParameter({ name: `${DETECTIONS}${alarm}/period-seconds`, value: '300' });
  }
  day.sandbox.ssm.putParameter({ name: `${SETTINGS}approval/slack-channel`, value: 'C0123' });

  // The read-only operator: everything but push.
  for (const noun of ['settings', 'detections']) {
    const pulled = writeOnce(`iam-${noun}.json`, {});
    await run('cordon-operator', [noun, 'pull', '--stage', STAGE, '--json']);
    await run('cordon-operator', [noun, 'pull', '--stage', STAGE, '--out', pulled]);
    await run('cordon-operator', [noun, 'diff', '--stage', STAGE, pulled]);
  }
  await run('cordon-operator', ['incidents', 'list', '--stage', STAGE, '--since', '30d', '--json']);
  for (const id of Object.values(day.incidents)) {
    await run('cordon-operator', ['incidents', 'show', id, '--stage', STAGE, '--json']);
  }
  await run('cordon-operator', ['evidence', '--stage', STAGE, '--from', '30d', '--format', 'json']);

  // The settings admin: pull, diff and push of both, one push with --delete.
  const settings = writeOnce('iam-admin-settings.json', {});
  await run('cordon-settings-admin', ['settings', 'pull', '--stage', STAGE, '--out', settings]);
  const full = JSON.parse(await readFile(settings, 'utf8'));
  delete full.approval.slackChannel;
  full.mode = 'dry-run';
  const changed = writeOnce('iam-admin-settings-changed.json', full);
  await run('cordon-settings-admin', ['settings', 'diff', '--stage', STAGE, changed]);
  await run('cordon-settings-admin', ['settings', 'push', '--stage', STAGE, changed, '--delete', '--yes']);
  const thresholds = writeOnce('iam-admin-thresholds.json', { RootAccountUsage: { threshold: 2 } });
  await run('cordon-settings-admin', ['detections', 'diff', '--stage', STAGE, thresholds]);
  await run('cordon-settings-admin', ['detections', 'push', '--stage', STAGE, thresholds, '--yes']);

  // The responder: a release (the incident's reads, the earlier releases looked for, one StartExecution).
  await run('cordon-responder', ['release', day.incidents.torCaller ?? '', '--stage', STAGE, '--yes']);
  await day.deployment.settle();
});

describe('the operator policies of docs/operations.md, evaluated on every call the commands make', () => {
  it('every command ran (exit 0) as the role the docs give it', () => {
    expect(runs.filter((each) => each.code !== 0)).toEqual([]);
    expect(runs.length).toBeGreaterThanOrEqual(18);
  });

  it.each([
    ['cordon-operator', OPERATOR],
    ['cordon-settings-admin', ADMIN],
    ['cordon-responder', RESPONDER],
  ])('%s: every call is allowed by its policy', (_role, arn) => {
    const calls = day.iam.evaluations.filter((evaluation) => evaluation.principal === arn);

    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((evaluation) => evaluation.decision !== 'allowed')).toEqual([]);
  });

  it.each([
    ['cordon-operator', OPERATOR],
    ['cordon-settings-admin', ADMIN],
    ['cordon-responder', RESPONDER],
  ])('%s: nothing granted is unused', (_role, arn) => {
    expect(day.iam.unused(arn)).toEqual([]);
  });

  it('the read-only operator makes no write and no Scan; the settings admin writes only parameters and settings records', () => {
    const actions = (arn: string) =>
      new Set(
        day.iam.evaluations
          .filter((evaluation) => evaluation.principal === arn)
          .flatMap((evaluation) => evaluation.requests.map((each) => each.request.action)),
      );

    expect([...actions(OPERATOR)].sort()).toEqual([
      'dynamodb:Query',
      'ssm:GetParametersByPath',
      'states:DescribeExecution',
    ]);
    expect([...actions(ADMIN)].sort()).toEqual([
      'dynamodb:PutItem',
      'ssm:AddTagsToResource',
      'ssm:DeleteParameters',
      'ssm:GetParametersByPath',
      'ssm:PutParameter',
    ]);
  });

  it('the table of docs/operations.md names, for each command, only actions its role’s policy grants', () => {
    const policies = operatorPolicies({ account: ACCOUNT, region: REGION, stage: STAGE });
    const granted = (role: 'cordon-operator' | 'cordon-settings-admin' | 'cordon-responder') =>
      new Set(policies[role].Statement.flatMap((statement) => [statement.Action].flat()));
    for (const row of COMMAND_PERMISSIONS) {
      const roles =
        row.role === 'either'
          ? (['cordon-operator', 'cordon-settings-admin'] as const)
          : row.role === 'none (offline)'
            ? []
            : [row.role as 'cordon-operator' | 'cordon-settings-admin' | 'cordon-responder'];
      for (const role of roles) {
        const needed = row.actions
          .map((action) => action.split(' ')[0] as string)
          .filter((action) => action !== 'sts:GetCallerIdentity');
        expect(
          needed.filter((action) => !granted(role).has(action)),
          `${row.command} as ${role}`,
        ).toEqual([]);
      }
    }
  });
});
