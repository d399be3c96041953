import { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { pollerDependenciesFromEnvironment } from '../../src/poller.ts';
import { requestApprovalDependenciesFromEnvironment } from '../../src/request-approval.ts';
import { dependenciesFromEnvironment } from '../../src/shared/action-handler.ts';
import {
  environmentFor,
  FUNCTION_ENVIRONMENT,
  FUNCTION_KINDS,
  type FunctionKind,
  readEnvironment,
  VARIABLES,
  type VariableKey,
  variableNames,
} from '../../src/shared/environment.ts';
import { thresholdSyncDependenciesFromEnvironment } from '../../src/threshold-sync.ts';
import { triageDependenciesFromEnvironment } from '../../src/triage.ts';

const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:cordon-prod-ec2-compromise';

/** A deployable value for every variable, by key (what infra would give after resolving its templates). */
const SAMPLE: Readonly<Record<VariableKey, string>> = {
  stage: 'prod',
  ledgerTable: 'cordon-prod-ledger',
  approvalsTable: 'cordon-prod-approvals',
  approvalUrl: 'https://abc.lambda-url.eu-west-1.on.aws/',
  topicArn: 'arn:aws:sns:eu-west-1:123456789012:cordon-prod-notifications',
  slackWebhookParameter: '/cordon/prod/secrets/slack-webhook-url',
  stateMachines: JSON.stringify({ 'ec2-compromise': STATE_MACHINE }),
  triageFunction: 'arn:aws:lambda:eu-west-1:123456789012:function:cordon-prod-triage',
  identityHeader: 'X-Auth-Request-Email',
  metricsNamespace: 'Cordon',
  region: 'eu-west-1',
};

/** What a deployed function of this kind sees: infra's variables, every one set, and Lambda's own. */
function deployedEnvironment(kind: FunctionKind): Record<string, string> {
  const { required, optional, lambda } = FUNCTION_ENVIRONMENT[kind];
  const values = Object.fromEntries([...required, ...optional].map((key) => [key, SAMPLE[key]]));
  const lambdaSet = Object.fromEntries(lambda.map((key) => [VARIABLES[key].name, SAMPLE[key]]));
  // The cast: the values are built from the kind's own lists, which the type cannot follow.
  return { ...environmentFor(kind, values as never), ...lambdaSet };
}

describe('readEnvironment', () => {
  it("reads a kind's variables by their shared names", () => {
    const environment = readEnvironment('poller', {
      CORDON_STAGE: 'prod',
      CORDON_LEDGER_TABLE: ' cordon-prod-ledger ',
      CORDON_TRIAGE_FUNCTION: 'cordon-prod-triage',
      CORDON_APPROVALS_TABLE: 'not read by the poller',
    });

    expect(environment).toEqual({
      stage: 'prod',
      ledgerTable: 'cordon-prod-ledger',
      triageFunction: 'cordon-prod-triage',
    });
  });

  it('leaves an optional variable out when it is unset or blank', () => {
    const environment = readEnvironment('action', {
      CORDON_STAGE: 'prod',
      CORDON_LEDGER_TABLE: 'ledger',
      CORDON_SNS_TOPIC_ARN: '  ',
      AWS_REGION: 'eu-west-1',
    });

    expect(environment).toEqual({ stage: 'prod', ledgerTable: 'ledger', region: 'eu-west-1' });
    expect('topicArn' in environment).toBe(false);
  });

  it('names every missing variable, Lambda’s included, in one EnvironmentVariableMissingError', () => {
    expect(() => readEnvironment('action', { CORDON_LEDGER_TABLE: 'ledger', CORDON_STAGE: '' })).toThrow(
      expect.objectContaining({
        name: 'EnvironmentVariableMissingError',
        variables: ['CORDON_STAGE', 'AWS_REGION'],
        message: expect.stringContaining('The action function needs CORDON_STAGE, AWS_REGION'),
      }),
    );
  });

  it.each([
    ['not JSON', '{ec2-compromise', /CORDON_STATE_MACHINES is invalid: not JSON/],
    ['a list', JSON.stringify([STATE_MACHINE]), /not a JSON object/],
    [
      'an unknown playbook',
      JSON.stringify({ 'ec2-compromised': STATE_MACHINE }),
      /ec2-compromised is no playbook/,
    ],
    ['no ARN', JSON.stringify({ 'ec2-compromise': 'cordon-prod-ec2-compromise' }), /is no state machine ARN/],
    ['a Lambda ARN', JSON.stringify({ 'ec2-compromise': SAMPLE.triageFunction }), /is no state machine ARN/],
  ])(
    'refuses CORDON_STATE_MACHINES that is %s (EnvironmentVariableInvalidError)',
    (_case, value, message) => {
      const environment = { ...deployedEnvironment('triage'), CORDON_STATE_MACHINES: value };

      expect(() => readEnvironment('triage', environment)).toThrow(
        expect.objectContaining({
          name: 'EnvironmentVariableInvalidError',
          variable: 'CORDON_STATE_MACHINES',
        }),
      );
      expect(() => readEnvironment('triage', environment)).toThrow(message);
    },
  );

  it('reads CORDON_STATE_MACHINES as the playbook → ARN map triage starts', () => {
    expect(readEnvironment('triage', deployedEnvironment('triage')).stateMachines).toEqual({
      'ec2-compromise': STATE_MACHINE,
    });
  });

  it('reads the identity header in lower case, as Node gives request headers', () => {
    expect(readEnvironment('approval-api', deployedEnvironment('approval-api')).identityHeader).toBe(
      'x-auth-request-email',
    );
  });
});

describe('environmentFor', () => {
  it('names each variable as the handlers read it', () => {
    expect(
      environmentFor('poller', { stage: '{stage}', ledgerTable: '{prefix}-ledger', triageFunction: 'arn' }),
    ).toEqual({
      CORDON_STAGE: '{stage}',
      CORDON_LEDGER_TABLE: '{prefix}-ledger',
      CORDON_TRIAGE_FUNCTION: 'arn',
    });
  });

  it('refuses a variable the function does not read (EnvironmentVariableUnknownError)', () => {
    const values = { stage: '{stage}', topicArn: 'arn', stateMachines: '{}' };

    // The cast stands for a spread object, which the type check does not see through.
    expect(() => environmentFor('threshold-sync', values as never)).toThrow(
      expect.objectContaining({
        name: 'EnvironmentVariableUnknownError',
        message: expect.stringContaining('does not read stateMachines'),
      }),
    );
  });

  it('refuses to set a variable Lambda reserves for itself (AWS_REGION)', () => {
    const values = { stage: '{stage}', ledgerTable: 'ledger', region: 'eu-west-1' };

    expect(() => environmentFor('action', values as never)).toThrow(
      expect.objectContaining({ name: 'EnvironmentVariableUnknownError' }),
    );
  });

  it('refuses a deployment that leaves a required variable out (EnvironmentVariableMissingError)', () => {
    expect(() =>
      environmentFor('request-approval', { stage: '{stage}', approvalsTable: 't' } as never),
    ).toThrow(
      expect.objectContaining({
        name: 'EnvironmentVariableMissingError',
        variables: ['CORDON_APPROVAL_URL'],
      }),
    );
  });
});

describe('one list of variables for the deployment and the handlers', () => {
  it.each(FUNCTION_KINDS)('a %s function reads back every value the deployment gives it', (kind) => {
    const { required, optional, lambda } = FUNCTION_ENVIRONMENT[kind];
    const environment = deployedEnvironment(kind);

    const read = readEnvironment(kind, environment) as Readonly<Record<string, unknown>>;

    expect(Object.keys(environment).sort()).toEqual([...variableNames(kind)].sort());
    expect(Object.keys(read).sort()).toEqual([...required, ...optional, ...lambda].sort());
    for (const key of [...required, ...optional, ...lambda] as VariableKey[]) {
      expect(read[key], key).toEqual(VARIABLES[key].read(SAMPLE[key], VARIABLES[key].name));
    }
  });

  it('declares no variable that no function reads', () => {
    const read = new Set(
      FUNCTION_KINDS.flatMap((kind) => {
        const { required, optional, lambda } = FUNCTION_ENVIRONMENT[kind];
        return [...required, ...optional, ...lambda];
      }),
    );

    expect(Object.keys(VARIABLES).filter((key) => !read.has(key as VariableKey))).toEqual([]);
  });

  it('gives every variable a distinct name', () => {
    const names = Object.values(VARIABLES).map((variable) => variable.name);

    expect(new Set(names).size).toBe(names.length);
  });

  // approval-api is the approval API engineer's to move onto readEnvironment with its routing library.
  const handlers: ReadonlyArray<[FunctionKind, (environment: Record<string, string>) => unknown]> = [
    [
      'action',
      (environment) => dependenciesFromEnvironment('cordon-notify', { sns: SNSClient }, environment),
    ],
    ['triage', triageDependenciesFromEnvironment],
    ['poller', pollerDependenciesFromEnvironment],
    ['threshold-sync', thresholdSyncDependenciesFromEnvironment],
    ['request-approval', requestApprovalDependenciesFromEnvironment],
  ];

  it.each(handlers)(
    'the %s function starts on what the deployment gives it, and not without any required variable',
    (kind, fromEnvironment) => {
      const environment = deployedEnvironment(kind);
      const { required, lambda } = FUNCTION_ENVIRONMENT[kind];

      expect(fromEnvironment(environment)).toBeDefined();
      for (const key of [...required, ...lambda] as VariableKey[]) {
        const { [VARIABLES[key].name]: _left, ...without } = environment;
        expect(() => fromEnvironment(without), key).toThrow(
          expect.objectContaining({
            name: 'EnvironmentVariableMissingError',
            variables: [VARIABLES[key].name],
          }),
        );
      }
    },
  );
});
