/**
 * The state machine of each playbook: JSONPath ASL that runs in AWS Step Functions (Standard) and in
 * aws-local-stepfunctions alike. A linear playbook (catalog.ts `linear`: the approval gate, its steps in
 * order, one notify) is built from its declaration; ec2-compromise (a Parallel) and credential-compromise
 * (a Choice per step) have their own builders here.
 */
import { PlaybookDefinitionInvalidError } from '../errors.ts';
import { approvalGate } from './approval-gate.ts';
import type { JsonObject, StateMachineDefinition } from './asl.ts';
import { PLAYBOOKS, type PlaybookDefinition, stepsOf } from './catalog.ts';
import { PLAYBOOK_IDS, type PlaybookId } from './ids.ts';
import { type FunctionKey, finish, type PlaybookBuildOptions, Scope } from './scope.ts';
import { STATE_NAMES } from './states.ts';

export type { FunctionKey, PlaybookBuildOptions } from './scope.ts';

/**
 * The ARN of a step's function in the local engine's fake account (the local engine keys its handlers by
 * state, but the ARN still has to be a valid Lambda ARN for the engine's validator). Failure reports go to
 * the notify function, as in AWS by default.
 *
 * @example LOCAL_FUNCTION_ARN('contain-instance') // 'arn:aws:lambda:us-east-1:000000000000:function:cordon-contain-instance'
 */
export function LOCAL_FUNCTION_ARN(step: FunctionKey): string {
  const name = step === 'report-failure' ? 'notify' : step;
  return `arn:aws:lambda:us-east-1:000000000000:function:cordon-${name}`;
}

/** Build options for the local engine and for the docs. */
export const LOCAL_BUILD_OPTIONS: PlaybookBuildOptions = { functionArn: LOCAL_FUNCTION_ARN };

const S = STATE_NAMES;

const INSTANCE: JsonObject = { 'instanceId.$': '$.target.instanceId' };

/** contain-instance also takes triage's reads of the instance (`null` when there are none). */
const CONTAINMENT: JsonObject = { ...INSTANCE, 'observation.$': '$.observation' };

function buildEc2Compromise(options: PlaybookBuildOptions): StateMachineDefinition {
  const scope = new Scope(options, 'top');
  const start = approvalGate(scope, options, {
    first: S.containInstance,
    firstStep: 'contain-instance',
    optional: true,
    timeoutDefaultApplies: true,
  });
  // One step to containment (evidence, Standby, both ENI moves): each step costs a Lambda invocation, a
  // state transition and a ledger write on the critical path (docs/benchmarks.md, "Containment path").
  scope.action(S.containInstance, 'contain-instance', CONTAINMENT, { Next: S.afterContainment });
  // Off the critical path: the LB no longer reaches the isolated instance anyway (DOMAIN.md item 13 says
  // not to wait for draining), and evidence and credentials are kept once the instance is cut off.
  scope.parallel(
    S.afterContainment,
    [
      [S.deregisterFromLoadBalancers, 'deregister-from-load-balancers', INSTANCE],
      [S.snapshotVolumes, 'snapshot-volumes', INSTANCE],
      [S.quarantineInstanceProfile, 'quarantine-instance-profile', INSTANCE],
    ],
    S.collectAfterContainment,
    S.tellContained,
  );
  scope.notify(S.tellContained, 'contained', { End: true }, { 'results.$': '$.results' });
  return finish(scope, 'ec2-compromise', start, PLAYBOOKS['ec2-compromise'].summary);
}

function buildCredentialCompromise(options: PlaybookBuildOptions): StateMachineDefinition {
  const scope = new Scope(options, 'top');
  const gate = approvalGate(scope, options, {
    first: S.deactivateAccessKeyChoice,
    firstStep: 'deactivate-access-key',
    optional: true,
    timeoutDefaultApplies: true,
  });
  // Every step may be switched off: without this, the final notify's `$.results` could be missing, and a
  // missing path is an uncatchable States.Runtime error.
  scope.add(S.startRecord, { Type: 'Pass', Result: {}, ResultPath: '$.results', Next: gate });
  const start = S.startRecord;
  scope.when(
    S.deactivateAccessKeyChoice,
    '$.run.deactivateAccessKey',
    S.deactivateAccessKey,
    S.revokeSessionsChoice,
  );
  // No userName: findings may lack it (DOMAIN.md item 22) and a missing path would fail the execution with
  // an uncatchable States.Runtime; the action resolves the key's user with GetAccessKeyLastUsed.
  scope.action(
    S.deactivateAccessKey,
    'deactivate-access-key',
    { 'accessKeyId.$': '$.target.accessKeyId' },
    { Next: S.revokeSessionsChoice },
  );
  scope.when(S.revokeSessionsChoice, '$.run.revokeSessions', S.revokeSessions, S.disableConsoleAccessChoice);
  scope.action(
    S.revokeSessions,
    'revoke-sessions',
    { 'principalType.$': '$.target.principalType', 'name.$': '$.target.name' },
    { Next: S.disableConsoleAccessChoice },
  );
  scope.when(
    S.disableConsoleAccessChoice,
    '$.run.disableConsoleAccess',
    S.disableConsoleAccess,
    S.tellContained,
  );
  scope.action(
    S.disableConsoleAccess,
    'disable-console-access',
    { 'userName.$': '$.target.userName' },
    { Next: S.tellContained },
  );
  scope.notify(S.tellContained, 'contained', { End: true }, { 'results.$': '$.results' });
  return finish(scope, 'credential-compromise', start, PLAYBOOKS['credential-compromise'].summary);
}

/** The playbooks with a builder of their own; every other one is linear. */
const BUILDERS: Readonly<
  Partial<Record<PlaybookId, (options: PlaybookBuildOptions) => StateMachineDefinition>>
> = {
  'ec2-compromise': buildEc2Compromise,
  'credential-compromise': buildCredentialCompromise,
};

/**
 * A linear playbook from its declaration: the approval gate (unless it never asks), then each step's Task
 * in order, the last one a notify telling the playbook's final event.
 */
function buildLinear(playbook: PlaybookDefinition, options: PlaybookBuildOptions): StateMachineDefinition {
  const steps = stepsOf(playbook);
  const tasks = steps.map((step) => {
    const task = playbook.linear?.[step];
    if (task === undefined) {
      throw new PlaybookDefinitionInvalidError(
        `Playbook ${playbook.id}: step ${step} has no Task in its linear declaration (or the playbook needs a builder of its own).`,
      );
    }
    return { step, ...task };
  });
  const last = tasks.at(-1);
  if (
    last === undefined ||
    last.step !== 'notify' ||
    tasks.slice(0, -1).some((task) => task.step === 'notify')
  ) {
    throw new PlaybookDefinitionInvalidError(
      `Playbook ${playbook.id}: a linear playbook ends with one notify step, and has no other.`,
    );
  }
  const scope = new Scope(options, 'top');
  const first = tasks[0] ?? last;
  const start =
    playbook.approval === 'never'
      ? first.state
      : approvalGate(scope, options, {
          first: first.state,
          firstStep: first.step,
          optional: playbook.approval === 'when-required',
          timeoutDefaultApplies: playbook.timeoutDefaultApplies,
        });
  tasks.slice(0, -1).forEach((task, index) => {
    const next = tasks[index + 1] ?? last;
    scope.action(task.state, task.step, task.parameters, { Next: next.state });
  });
  scope.notify(last.state, playbook.finalEvent, { End: true }, last.parameters);
  return finish(scope, playbook.id, start, playbook.summary);
}

/**
 * The state machine definition of a playbook: JSONPath ASL that runs in AWS Step Functions (Standard) and in
 * aws-local-stepfunctions alike. Each call builds a fresh object, so callers may mutate it.
 *
 * @throws PlaybookDefinitionInvalidError when the catalog declares a playbook that cannot be built.
 * @example
 * const definition = buildPlaybook('ec2-compromise', { functionArn: (step) => arns[step] });
 * new aws.sfn.StateMachine('ec2-compromise', { definition: JSON.stringify(definition), roleArn });
 */
export function buildPlaybook(id: PlaybookId, options: PlaybookBuildOptions): StateMachineDefinition {
  return buildFromDeclaration(PLAYBOOKS[id], options);
}

/**
 * The state machine of a declaration: its own builder if build.ts has one for its id, else built as a
 * linear playbook. The conformance test builds declarations not yet in the catalog with it.
 *
 * @throws PlaybookDefinitionInvalidError when the declaration cannot be built.
 * @example buildFromDeclaration(PLAYBOOKS['notify-only'], LOCAL_BUILD_OPTIONS).StartAt // 'Tell the responders what was decided'
 */
export function buildFromDeclaration(
  playbook: PlaybookDefinition,
  options: PlaybookBuildOptions,
): StateMachineDefinition {
  const own = BUILDERS[playbook.id];
  return own === undefined ? buildLinear(playbook, options) : own(options);
}

/**
 * Every playbook's definition, by id.
 *
 * @example
 * const local = allPlaybooks(LOCAL_BUILD_OPTIONS);
 * local['notify-only'].StartAt // 'Tell the responders what was decided'
 */
export function allPlaybooks(options: PlaybookBuildOptions): Record<PlaybookId, StateMachineDefinition> {
  const entries = PLAYBOOK_IDS.map((id) => [id, buildPlaybook(id, options)] as const);
  // Object.fromEntries loses the key type; every PlaybookId is an entry above.
  return Object.fromEntries(entries) as Record<PlaybookId, StateMachineDefinition>;
}
