import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  type ExecutionRecord,
  StepFunctionsModel,
  type TaskCallback,
} from '../src/deployment-step-functions.ts';
import { createSandbox } from '../src/sandbox/index.ts';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:cordon-local-notify-only';

function stepFunctions() {
  const clock = { now: Date.parse('2026-11-28T10:00:00Z') };
  const sandbox = createSandbox({ now: () => new Date(clock.now) });
  const started: ExecutionRecord[] = [];
  const callbacks: Array<[string, TaskCallback]> = [];
  const model = new StepFunctionsModel(sandbox.account.context, {
    stateMachineArns: [STATE_MACHINE],
    onStart: (execution) => started.push(execution),
    onTaskCallback: (token, callback) => {
      if (token !== 'waiting-token') return false;
      callbacks.push([token, callback]);
      return true;
    },
  });
  sandbox.account.register(model);
  const client = sandbox.account.attach(
    new SFNClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 's' } }),
  );
  const start = (name: string, input = '{"a":1}') =>
    client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name, input }));
  return { model, client, started, start, clock, callbacks };
}

describe('StepFunctionsModel (StartExecution: https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html)', () => {
  it('starts an execution of a known state machine and hands it to be run', async () => {
    const { started, start } = stepFunctions();

    const answer = await start('incident-1');

    expect(answer.executionArn).toBe(
      'arn:aws:states:us-east-1:123456789012:execution:cordon-local-notify-only:incident-1',
    );
    expect(started).toEqual([
      expect.objectContaining({ name: 'incident-1', status: 'RUNNING', input: '{"a":1}' }),
    ]);
  });

  it('answers the same execution for the same name and input while it runs, and runs it once', async () => {
    const { started, start } = stepFunctions();
    const first = await start('incident-1');

    const again = await start('incident-1');

    expect(again.executionArn).toBe(first.executionArn);
    expect(started).toHaveLength(1);
  });

  it('refuses the name with another input, and once the execution has closed whatever the input', async () => {
    const { model, start } = stepFunctions();
    const { executionArn } = await start('incident-1');
    await expect(start('incident-1', '{"a":2}')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });

    model.finish(executionArn ?? '', { status: 'SUCCEEDED' });

    await expect(start('incident-1')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('lets a name be used again 90 days after its execution closed, not before ("Names can be reused after 90 days")', async () => {
    const { model, start, started, clock } = stepFunctions();
    const { executionArn } = await start('incident-1');
    model.finish(executionArn ?? '', { status: 'SUCCEEDED' });

    clock.now += 90 * 86_400_000;
    await expect(start('incident-1')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    clock.now += 1000;
    const reused = await start('incident-1');

    expect(reused.executionArn).toBe(executionArn);
    expect(started).toHaveLength(2);
    expect(model.executions()).toEqual([expect.objectContaining({ name: 'incident-1', status: 'RUNNING' })]);
  });

  it('hands SendTaskSuccess and SendTaskFailure to the task waiting on the token, and refuses a token nothing waits on', async () => {
    const { client, callbacks } = stepFunctions();

    await client.send(
      new SendTaskSuccessCommand({ taskToken: 'waiting-token', output: '{"decision":"approve"}' }),
    );
    await client.send(
      new SendTaskFailureCommand({ taskToken: 'waiting-token', error: 'ApprovalRejected', cause: 'no' }),
    );
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: 'answered-long-ago', output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskDoesNotExist' });

    expect(callbacks).toEqual([
      ['waiting-token', { kind: 'success', output: '{"decision":"approve"}' }],
      ['waiting-token', { kind: 'failure', error: 'ApprovalRejected', cause: 'no' }],
    ]);
  });

  it('refuses an unknown state machine, a name with forbidden characters and an input that is not JSON', async () => {
    const { client, start } = stepFunctions();
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: `${STATE_MACHINE}-x`, name: 'n' })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(start('has space')).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(start('x'.repeat(81))).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(start('ok', '{not json')).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
  });

  it('describes an execution with how it ended', async () => {
    const { model, client, start } = stepFunctions();
    const { executionArn } = await start('incident-1');
    model.finish(executionArn ?? '', { status: 'FAILED', error: 'PlaybookStepFailed', cause: 'notify' });

    const described = await client.send(new DescribeExecutionCommand({ executionArn }));

    expect(described).toMatchObject({
      status: 'FAILED',
      error: 'PlaybookStepFailed',
      cause: 'notify',
      name: 'incident-1',
    });
    await expect(
      client.send(new DescribeExecutionCommand({ executionArn: `${executionArn}-missing` })),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('answers a waiting Task once: SendTaskSuccess resumes it with the output, a second callback is TaskTimedOut', async () => {
    // Prepare
    const { model, client } = stepFunctions();
    const waiting = model.waitForTaskToken('token-1', 'incident-1');

    // Act
    await client.send(new SendTaskSuccessCommand({ taskToken: 'token-1', output: '{"decision":"approve"}' }));
    const again = client.send(
      new SendTaskFailureCommand({ taskToken: 'token-1', error: 'ApprovalRejected', cause: 'late' }),
    );

    // Assess
    await expect(waiting).resolves.toEqual({ decision: 'approve' });
    await expect(again).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('SendTaskFailure fails the Task with the error named as sent (what the state’s Catch matches)', async () => {
    // Prepare
    const { model, client } = stepFunctions();
    const waiting = model.waitForTaskToken('token-2', 'incident-2');

    // Act
    await client.send(
      new SendTaskFailureCommand({ taskToken: 'token-2', error: 'ApprovalRejected', cause: 'by bob' }),
    );

    // Assess
    await expect(waiting).rejects.toMatchObject({ name: 'ApprovalRejected', message: 'by bob' });
  });

  it('refuses a token no Task waits on (TaskDoesNotExist, the deployed approvals’ answer too), output that is not JSON (InvalidOutput), and a Task whose execution ended (TaskTimedOut)', async () => {
    // Prepare
    const { model, client, start } = stepFunctions();
    const { executionArn } = await start('incident-3');
    const waiting = model.waitForTaskToken('token-3', 'incident-3');
    void waiting.catch(() => undefined);
    const pending = model.waitForTaskToken('token-4', 'incident-4');
    void pending.catch(() => undefined);

    // Act
    const unknown = client.send(new SendTaskSuccessCommand({ taskToken: 'never-handed-out', output: '{}' }));
    const notJson = client.send(new SendTaskSuccessCommand({ taskToken: 'token-4', output: '{oops' }));
    model.finish(executionArn ?? '', { status: 'TIMED_OUT' });
    const ended = client.send(new SendTaskSuccessCommand({ taskToken: 'token-3', output: '{}' }));

    // Assess
    await expect(unknown).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(notJson).rejects.toMatchObject({ name: 'InvalidOutput' });
    await expect(ended).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await client.send(new SendTaskSuccessCommand({ taskToken: 'token-4', output: '{}' }));
    await expect(pending).resolves.toEqual({});
  });
});
