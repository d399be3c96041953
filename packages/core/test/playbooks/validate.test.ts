import { describe, expect, it } from 'vitest';
import {
  buildPlaybook,
  LOCAL_BUILD_OPTIONS,
  lintPlaybook,
  PLAYBOOK_IDS,
  STATE_NAMES,
  type State,
  type StateMachineDefinition,
  type TaskState,
} from '../../src/playbooks/index.ts';

/** A copy of the definition with one top-level Task changed. */
function withTask(
  definition: StateMachineDefinition,
  name: string,
  change: (task: TaskState) => State,
): StateMachineDefinition {
  const state = definition.States[name];
  if (state?.Type !== 'Task') throw new Error(`${name} is not a Task`);
  return { ...definition, States: { ...definition.States, [name]: change(state) } };
}

describe('lintPlaybook', () => {
  it.each(PLAYBOOK_IDS)('finds no problem in %s', (id) => {
    expect(lintPlaybook(buildPlaybook(id, LOCAL_BUILD_OPTIONS))).toEqual([]);
  });

  it('finds a Task without Retry', () => {
    // Prepare
    const broken = withTask(
      buildPlaybook('ec2-compromise', LOCAL_BUILD_OPTIONS),
      STATE_NAMES.containInstance,
      ({ Retry, ...task }) => task,
    );

    // Act
    const problems = lintPlaybook(broken);

    // Assess
    expect(problems).toEqual([`Task "${STATE_NAMES.containInstance}" has no Retry.`]);
  });

  it('finds a Task without Catch', () => {
    // Prepare
    const broken = withTask(
      buildPlaybook('stale-credentials', LOCAL_BUILD_OPTIONS),
      STATE_NAMES.deactivateStaleKeys,
      ({ Catch, ...task }) => task,
    );

    // Act
    const problems = lintPlaybook(broken);

    // Assess
    expect(problems).toContain('Task "Deactivate the stale access keys" has no Catch.');
  });

  it('finds a Task whose Catch does not catch States.ALL', () => {
    // Prepare
    const broken = withTask(
      buildPlaybook('ec2-release', LOCAL_BUILD_OPTIONS),
      STATE_NAMES.releaseInstance,
      (task) => ({
        ...task,
        Catch: [
          {
            ErrorEquals: ['ResourceGoneError'],
            ResultPath: '$.failure',
            Next: 'Failed: Release the instance',
          },
        ],
      }),
    );

    // Act
    const problems = lintPlaybook(broken);

    // Assess
    expect(problems).toEqual([
      'Task "Release the instance" has no Catch for States.ALL: an error it does not name goes unreported.',
    ]);
  });

  it('finds a task-token wait without TimeoutSeconds', () => {
    // Prepare
    const broken = withTask(
      buildPlaybook('ec2-release', LOCAL_BUILD_OPTIONS),
      STATE_NAMES.askForApproval,
      ({ TimeoutSecondsPath, ...task }) => task,
    );

    // Act
    const problems = lintPlaybook(broken);

    // Assess
    expect(problems).toEqual([
      'Task "Ask for approval" waits for a task token without TimeoutSeconds: it would wait up to a year.',
    ]);
  });

  it('finds a Fail state reachable without a notification', () => {
    // Prepare
    const broken = withTask(
      buildPlaybook('ec2-compromise', LOCAL_BUILD_OPTIONS),
      STATE_NAMES.containInstance,
      (task) => ({
        ...task,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STATE_NAMES.stopped }],
      }),
    );

    // Act
    const problems = lintPlaybook(broken);

    // Assess
    expect(problems).toEqual([
      `Fail "Stopped: a step failed" is reachable from Task "${STATE_NAMES.containInstance}" without a notification.`,
    ]);
  });

  it('finds a Parallel branch whose error leaves it unreported', () => {
    // Prepare
    const definition = buildPlaybook('ec2-compromise', LOCAL_BUILD_OPTIONS);
    const parallel = definition.States[STATE_NAMES.afterContainment];
    if (parallel?.Type !== 'Parallel') throw new Error('not a Parallel');
    const [first, ...others] = parallel.Branches;
    if (first === undefined) throw new Error('no branch');
    const task = first.States[STATE_NAMES.deregisterFromLoadBalancers];
    if (task?.Type !== 'Task') throw new Error('not a Task');
    const { Catch, ...uncaught } = task;
    const broken: StateMachineDefinition = {
      ...definition,
      States: {
        ...definition.States,
        [STATE_NAMES.afterContainment]: {
          ...parallel,
          Branches: [
            { ...first, States: { ...first.States, [STATE_NAMES.deregisterFromLoadBalancers]: uncaught } },
            ...others,
          ],
        },
      },
    };

    // Act
    const problems = lintPlaybook(broken);

    // Assess
    expect(problems).toContain('Task "Take it out of its load balancers" has no Catch.');
    expect(problems).toContain(
      `Fail "Stopped: a step failed" is reachable from Parallel "${STATE_NAMES.afterContainment}" without a notification.`,
    );
  });

  it('finds a Fail state reached from the start through Choice and Pass states only', () => {
    // Prepare
    const definition: StateMachineDefinition = {
      Comment: 'broken',
      StartAt: 'Go?',
      States: {
        'Go?': {
          Type: 'Choice',
          Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Done' }],
          Default: 'Note',
        },
        Note: { Type: 'Pass', Next: 'Stop' },
        Stop: { Type: 'Fail', Error: 'PlaybookStepFailed' },
        Done: { Type: 'Succeed' },
      },
    };

    // Act
    const problems = lintPlaybook(definition);

    // Assess
    expect(problems).toEqual(['Fail "Stop" is reachable from the start without a notification.']);
  });
});
