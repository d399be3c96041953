import aslValidator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { PlaybookDefinitionInvalidError, RETRYABLE_ERROR_NAMES } from '../../src/errors.ts';
import {
  APPROVAL_RESOURCE,
  allPlaybooks,
  allStates,
  buildFromDeclaration,
  buildPlaybook,
  LAMBDA_SERVICE_ERRORS,
  LOCAL_BUILD_OPTIONS,
  LOCAL_FUNCTION_ARN,
  PLAYBOOK_IDS,
  PLAYBOOKS,
  type PlaybookBuildOptions,
  type PlaybookDefinition,
  resultKey,
  STATE_NAMES,
  stepOfState,
} from '../../src/playbooks/index.ts';

const AWS_OPTIONS: PlaybookBuildOptions = {
  functionArn: (step) => `arn:aws:lambda:eu-west-1:111122223333:function:cordon-prod-${step}`,
};

describe('buildPlaybook', () => {
  it.each(PLAYBOOK_IDS)('%s passes asl-validator 4, ARNs and paths included', (id) => {
    // Prepare (asl-validator writes QueryLanguage into the states it checks: give it a copy)
    const definition = structuredClone(buildPlaybook(id, AWS_OPTIONS));

    // Act
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });

    // Assess
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(PLAYBOOK_IDS)('%s is accepted by the local engine’s own validator', (id) => {
    // Prepare
    const definition = structuredClone(buildPlaybook(id, LOCAL_BUILD_OPTIONS));

    // Act
    // The engine's definition type has mutable arrays; the JSON is the same.
    const construct = () =>
      new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0]);

    // Assess
    expect(construct).not.toThrow();
  });

  it('invokes each action by its function ARN, so the result is the return value and errors keep their names', () => {
    // Act
    const definition = buildPlaybook('ec2-compromise', AWS_OPTIONS);

    // Assess
    for (const { name, state } of allStates(definition)) {
      if (state.Type !== 'Task' || name === STATE_NAMES.askForApproval) continue;
      expect(state.Resource, name).toMatch(/^arn:aws:lambda:eu-west-1:111122223333:function:cordon-prod-/);
    }
    const isolate = definition.States[STATE_NAMES.containInstance];
    expect(isolate).toMatchObject({
      Resource: AWS_OPTIONS.functionArn('contain-instance'),
      Parameters: {
        'incidentId.$': '$.incident.id',
        'account.$': '$.incident.account',
        'region.$': '$.incident.region',
        'dryRun.$': '$.decision.dryRun',
        'instanceId.$': '$.target.instanceId',
        'observation.$': '$.observation',
      },
      ResultPath: '$.results.containInstance',
    });
  });

  it('writes each action’s result under results.<step in camelCase>, keeping the input', () => {
    for (const [id, definition] of Object.entries(allPlaybooks(LOCAL_BUILD_OPTIONS))) {
      for (const { name, state } of allStates(definition)) {
        const step = stepOfState(name);
        if (state.Type !== 'Task' || step === undefined || step === 'notify' || step === 'request-approval')
          continue;
        expect(state.ResultPath, `${id}: ${name}`).toBe(`$.results.${resultKey(step)}`);
      }
    }
  });

  it('retries every Task on its retryable errors and the Lambda service errors, with backoff and jitter, throttling longest', () => {
    for (const definition of Object.values(allPlaybooks(LOCAL_BUILD_OPTIONS))) {
      for (const { name, state } of allStates(definition)) {
        if (state.Type !== 'Task') continue;
        const notDelivered = name === STATE_NAMES.askForApproval ? ['ApprovalNotDeliveredError'] : [];
        expect(state.Retry, name).toEqual([
          {
            ErrorEquals: ['ThrottledError', 'Lambda.TooManyRequestsException'],
            IntervalSeconds: 1,
            BackoffRate: 2,
            MaxAttempts: 10,
            MaxDelaySeconds: 30,
            JitterStrategy: 'FULL',
          },
          {
            ErrorEquals: [...RETRYABLE_ERROR_NAMES, ...notDelivered, ...LAMBDA_SERVICE_ERRORS].filter(
              (error) => error !== 'ThrottledError' && error !== 'Lambda.TooManyRequestsException',
            ),
            IntervalSeconds: 1,
            BackoffRate: 2,
            MaxAttempts: 5,
            JitterStrategy: 'FULL',
          },
        ]);
      }
    }
  });

  it('takes the retryable errors of a step from the options', () => {
    // Act
    const definition = buildPlaybook('ec2-compromise', {
      ...LOCAL_BUILD_OPTIONS,
      retryableErrors: (step) =>
        step === 'snapshot-volumes' ? ['SnapshotLimitError'] : RETRYABLE_ERROR_NAMES,
    });

    // Assess
    const snapshot = allStates(definition).find(({ name }) => name === STATE_NAMES.snapshotVolumes);
    expect(snapshot?.state).toMatchObject({
      // Lambda's own throttling keeps the longer retrier; the step's errors and Lambda's others the usual one.
      Retry: [
        { ErrorEquals: ['Lambda.TooManyRequestsException'] },
        {
          ErrorEquals: [
            'SnapshotLimitError',
            ...LAMBDA_SERVICE_ERRORS.filter((error) => error !== 'Lambda.TooManyRequestsException'),
          ],
        },
      ],
    });
  });

  it('asks for approval through the waitForTaskToken integration, with the timeout from the input', () => {
    // Act
    const definition = buildPlaybook('ec2-release', AWS_OPTIONS);

    // Assess
    expect(definition.States[STATE_NAMES.askForApproval]).toMatchObject({
      Resource: APPROVAL_RESOURCE,
      Parameters: {
        FunctionName: AWS_OPTIONS.functionArn('request-approval'),
        Payload: {
          'taskToken.$': '$$.Task.Token',
          step: 'release-instance',
          'timeoutSeconds.$': '$.approval.timeoutSeconds',
        },
      },
      TimeoutSecondsPath: '$.Payload.timeoutSeconds',
      ResultPath: '$.results.approval',
    });
    expect(definition.States[STATE_NAMES.setApprovalDeadline]).toMatchObject({
      Parameters: { 'timeoutSeconds.$': '$.approval.timeoutSeconds' },
      ResultPath: '$.Payload',
    });
  });

  it('fails with PlaybookStepFailed and the failed step id as the cause', () => {
    // Act
    const definition = buildPlaybook('notify-only', AWS_OPTIONS);

    // Assess
    expect(definition.States[STATE_NAMES.stopped]).toEqual({
      Type: 'Fail',
      Error: 'PlaybookStepFailed',
      CausePath: '$.failedStep',
    });
    expect(definition.States[STATE_NAMES.reportFailedStep]).toMatchObject({
      Resource: AWS_OPTIONS.functionArn('report-failure'),
      Parameters: { event: 'step-failed', 'failedStep.$': '$.failedStep' },
    });
  });

  it('builds a fresh definition on every call', () => {
    // Prepare
    const first = buildPlaybook('ec2-compromise', LOCAL_BUILD_OPTIONS);

    // Act
    aslValidator(first); // mutates its argument
    const second = buildPlaybook('ec2-compromise', LOCAL_BUILD_OPTIONS);

    // Assess
    expect(JSON.stringify(second)).not.toContain('QueryLanguage');
  });

  it('gives the local engine valid Lambda ARNs, with failure reports going to the notify function', () => {
    expect(LOCAL_FUNCTION_ARN('contain-instance')).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:cordon-contain-instance',
    );
    expect(LOCAL_FUNCTION_ARN('report-failure')).toBe(LOCAL_FUNCTION_ARN('notify'));
  });

  it('uses no Express-only or JSONata feature', () => {
    for (const definition of Object.values(allPlaybooks(LOCAL_BUILD_OPTIONS))) {
      const text = JSON.stringify(definition);
      expect(text).not.toContain('QueryLanguage');
      expect(text).not.toContain('{%');
      expect(text).not.toContain('.sync');
    }
  });
});

describe('buildFromDeclaration', () => {
  it('builds a linear declaration exactly as the catalog’s playbook is built', () => {
    expect(buildFromDeclaration(PLAYBOOKS['stale-credentials'], LOCAL_BUILD_OPTIONS)).toEqual(
      buildPlaybook('stale-credentials', LOCAL_BUILD_OPTIONS),
    );
  });

  it.each([
    ['a step without its Task', { steps: ['deactivate-access-key', 'notify'], linear: {} }, /has no Task/],
    [
      'a linear playbook that does not end with one notify',
      { steps: ['notify', 'deactivate-access-key'] },
      /ends with one notify step/,
    ],
  ])('refuses %s with PlaybookDefinitionInvalidError', (_, change, message) => {
    // Prepare: a declaration the catalog does not hold (its id is made up, so it is cast).
    const declaration = {
      ...PLAYBOOKS['stale-credentials'],
      id: 'made-up',
      ...change,
    } as unknown as PlaybookDefinition;

    // Act
    const build = () => buildFromDeclaration(declaration, LOCAL_BUILD_OPTIONS);

    // Assess
    expect(build).toThrow(PlaybookDefinitionInvalidError);
    expect(build).toThrow(message);
  });
});
