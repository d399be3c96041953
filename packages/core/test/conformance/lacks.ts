/**
 * What a new action or playbook still lacks, in sentences that say where each missing piece goes. The
 * conformance test walks both catalogs with these and expects nothing; its self-test gives them a
 * declaration the catalogs do not hold yet and expects every piece named. See docs/contributing.md,
 * "Adding an action or a playbook".
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CALLS_OF_PERMISSION, CLIENTS_OF_SERVICE } from '../../src/actions/catalog.ts';
import type { ActionDefinition, AwsClients } from '../../src/actions/types.ts';
import type { StateMachineDefinition } from '../../src/playbooks/asl.ts';
import { allStates } from '../../src/playbooks/asl.ts';
import { type PlaybookDefinition, stepsOf } from '../../src/playbooks/catalog.ts';
import type { ConfigRuleDeclaration } from '../../src/playbooks/config-rules.ts';
import type { StepId } from '../../src/playbooks/ids.ts';
import { stepOfState } from '../../src/playbooks/states.ts';
import { postureOf, postureResourceTypes } from '../../src/playbooks/target-kinds.ts';
import { lintPlaybook } from '../../src/playbooks/validate.ts';

/**
 * IAM actions that are permissions only, checked during another service's call and never sent themselves,
 * so no sandbox model answers them. `iam:PassRole`: "A user can pass a role ARN as a parameter in any API
 * operation that uses the role … The service then checks whether that user has the iam:PassRole
 * permission" (IAM User Guide, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
 */
export const PERMISSION_ONLY_ACTIONS: ReadonlySet<string> = new Set(['iam:PassRole']);

/** The SDK service name (the sandbox model's `service`) each of an action's clients speaks to. */
export const SERVICE_OF_CLIENT: Readonly<Record<keyof AwsClients, string>> = {
  ec2: 'EC2',
  iam: 'IAM',
  autoScaling: 'AutoScaling',
  elbv2: 'ElasticLoadBalancingV2',
  elb: 'ElasticLoadBalancing',
  sns: 'SNS',
  s3: 'S3',
  s3Control: 'S3Control',
  cloudTrail: 'CloudTrail',
  kms: 'KMS',
  rds: 'RDS',
};

/** What the checks read: the repository, both catalogs and the sandbox account's models. */
export interface ConformanceContext {
  /** The repository's root directory. */
  readonly root: string;
  readonly actions: Readonly<
    Record<
      string,
      Pick<ActionDefinition, 'permissions' | 'mutating'> & Partial<Pick<ActionDefinition, 'release'>>
    >
  >;
  readonly playbooks: Readonly<Record<string, PlaybookDefinition>>;
  /** The names of the Task states that run a step (playbooks/states.ts). */
  readonly statesOfStep: (step: StepId) => readonly string[];
  /** Builds a declaration's state machine; throws when it cannot be built. */
  readonly build: (playbook: PlaybookDefinition) => StateMachineDefinition;
  /** Sandbox model service name → the commands it answers. */
  readonly sandboxCommands: ReadonlyMap<string, ReadonlySet<string>>;
  /** The alarms Cordon deploys (detections/alarms.ts). */
  readonly detectionAlarms: readonly string[];
  /** The Config rules Cordon declares, by source identifier (playbooks/config-rules.ts). */
  readonly configRules: Readonly<Record<string, ConfigRuleDeclaration>>;
  /** The rules the sandbox can seed a non-compliant resource for (packages/local/src/seed-config.ts). */
  readonly configSeeds: ReadonlySet<string>;
  /** The actions `release-remediation` releases (RELEASABLE_REMEDIATIONS). */
  readonly releasable: ReadonlySet<string>;
}

function exists(context: ConformanceContext, path: string): boolean {
  return existsSync(join(context.root, path));
}

function read(context: ConformanceContext, path: string): string {
  return exists(context, path) ? readFileSync(join(context.root, path), 'utf8') : '';
}

/**
 * Everything action `id` lacks: its handler, its tests, a state that runs it, a playbook that runs it, its
 * docs, and for every call its permissions name, an AWS client and a sandbox model that answers it.
 */
export function lacksOfAction(id: string, context: ConformanceContext): string[] {
  const action = context.actions[id];
  if (action === undefined)
    return [`action ${id}: a declaration in ACTIONS (packages/core/src/actions/catalog.ts)`];
  const lacks: string[] = [];
  const lack = (what: string) => lacks.push(`action ${id}: ${what}`);
  const handler = `packages/functions/src/handlers/actions/${id}.ts`;
  if (!exists(context, handler))
    lack(`a Lambda handler ${handler} (createActionHandler with the clients it calls)`);
  for (const test of [
    `packages/core/test/actions/${id}.test.ts`,
    `packages/core/test/actions/${id}.sandbox.test.ts`,
  ]) {
    if (!exists(context, test)) lack(`its tests ${test}`);
  }
  if (context.statesOfStep(id as StepId).length === 0) {
    lack(
      'a state name that runs it (STATE_NAMES and STEP_OF_TASK_STATE in packages/core/src/playbooks/states.ts)',
    );
  }
  const runners = Object.values(context.playbooks).filter((playbook) =>
    stepsOf(playbook).includes(id as StepId),
  );
  if (runners.length === 0)
    lack('a playbook that runs it (a step of a declaration in packages/core/src/playbooks/catalog.ts)');
  if (!read(context, 'docs/actions.md').includes(`\n## ${id}\n`))
    lack('its section in docs/actions.md (npm run docs:actions)');
  const calls = new Set(action.permissions.flatMap((permission) => permission.actions));
  for (const call of calls) {
    if (PERMISSION_ONLY_ACTIONS.has(call)) continue;
    const [prefix = '', command = ''] = call.split(':');
    // An IAM action named otherwise than its call (S3's Block Public Access) is answered by that call's model.
    const renamed = Object.hasOwn(CALLS_OF_PERMISSION, call) ? CALLS_OF_PERMISSION[call] : undefined;
    const clients =
      renamed !== undefined
        ? [renamed.client]
        : ((Object.hasOwn(CLIENTS_OF_SERVICE, prefix) ? CLIENTS_OF_SERVICE[prefix] : undefined) ?? []);
    const commands = renamed?.commands ?? [command];
    if (clients.length === 0) {
      lack(
        `an AWS client for ${prefix} (AwsClients in actions/types.ts, CLIENTS_OF_SERVICE in actions/catalog.ts) for ${call}`,
      );
    }
    const answered = clients.some((client) =>
      commands.every((each) => context.sandboxCommands.get(SERVICE_OF_CLIENT[client])?.has(each)),
    );
    if (!answered) lack(`a sandbox model that answers ${call} (packages/local/src/sandbox/models/)`);
  }
  if (action.release !== undefined && !context.releasable.has(id)) {
    lack(
      'its place among the remediations release-remediation releases (RELEASABLE_REMEDIATIONS in packages/core/src/actions/release-remediation.ts), since it declares a release',
    );
  }
  return lacks;
}

/**
 * What the Config rules the playbooks route lack: a declaration (identifier, name, resource type, severity,
 * controls with their source), a resource type the playbook's target kind takes, and — for a rule a
 * remediation acts on — a sandbox seed that makes a resource non-compliant the way the rule says.
 */
export function lacksOfConfigRules(context: ConformanceContext): string[] {
  const lacks: string[] = [];
  for (const playbook of Object.values(context.playbooks)) {
    const rules = playbook.routes.configRules;
    if (rules === undefined || rules === 'any') continue;
    for (const identifier of Object.keys(rules)) {
      const lack = (what: string) => lacks.push(`Config rule ${identifier} (${playbook.id}): ${what}`);
      const declared = Object.hasOwn(context.configRules, identifier)
        ? context.configRules[identifier]
        : undefined;
      if (declared === undefined) {
        lack('a declaration in CONFIG_RULES (packages/core/src/playbooks/config-rules.ts)');
        continue;
      }
      if (declared.identifier !== identifier) lack(`its identifier ${identifier} in its declaration`);
      if (declared.mappings.length === 0 || declared.mappings.some((mapping) => mapping.source.url === ''))
        lack('the controls it checks, each with the document that relates them (playbooks/controls.ts)');
      const posture = postureOf(playbook.target);
      if (
        posture !== undefined &&
        !declared.resourceTypes.some((type) => postureResourceTypes(posture).includes(type))
      )
        lack(
          `a resource type the target kind ${playbook.target} takes (${postureResourceTypes(posture).join(', ')})`,
        );
      // A posture fix's resource is seeded from the rule (IAM users from a Config result are seeded by seed.ts).
      if (playbook.mutating && posture !== undefined && !context.configSeeds.has(identifier))
        lack(
          'a seed that makes a resource non-compliant (CONFIG_SEEDS in packages/local/src/seed-config.ts)',
        );
    }
  }
  return lacks;
}

/**
 * Everything playbook `id` lacks: a way to build it, a Task for each of its steps, an action behind each
 * step, a route, a `mutating` flag and a target that agree with its steps and routes, its docs page and the
 * event its replay names.
 */
export function lacksOfPlaybook(id: string, context: ConformanceContext): string[] {
  const playbook = context.playbooks[id];
  if (playbook === undefined)
    return [`playbook ${id}: a declaration in PLAYBOOKS (packages/core/src/playbooks/catalog.ts)`];
  const lacks: string[] = [];
  const lack = (what: string) => lacks.push(`playbook ${id}: ${what}`);
  const steps = stepsOf(playbook);
  let definition: StateMachineDefinition | undefined;
  try {
    definition = context.build(playbook);
  } catch (error) {
    lack(
      `a state machine: a \`linear\` declaration, or its own builder in packages/core/src/playbooks/build.ts (${(error as Error).message})`,
    );
  }
  if (definition !== undefined) {
    const run = new Set(
      allStates(definition).flatMap(({ name, state }) => (state.Type === 'Task' ? [stepOfState(name)] : [])),
    );
    for (const step of steps) if (!run.has(step)) lack(`a Task that runs ${step} in its state machine`);
    for (const problem of lintPlaybook(definition)) lack(`a state machine lintPlaybook accepts: ${problem}`);
  }
  for (const step of steps) {
    if (context.actions[step] === undefined)
      lack(`an action for its step ${step} (ACTIONS in packages/core/src/actions/catalog.ts)`);
  }
  const { routes } = playbook;
  const routed =
    (routes.findings?.length ?? 0) > 0 ||
    routes.alarms !== undefined ||
    routes.configRules !== undefined ||
    routes.responder === true ||
    routes.fallback === true;
  if (!routed) lack('a route: findings, alarms, configRules, responder or fallback in its declaration');
  const mutating = steps.some((step) => context.actions[step]?.mutating === true);
  if (playbook.mutating !== mutating) lack(`mutating: ${mutating}, as its steps are`);
  if ((routes.alarms !== undefined || routes.fallback === true) && playbook.target !== 'none') {
    lack("target 'none' to take alarms or be the fallback (neither names a resource to act on)");
  }
  if (mutating && playbook.target === 'none') lack('a target kind: its steps change a resource');
  for (const alarm of routes.alarms?.byDefault ?? []) {
    if (!context.detectionAlarms.includes(alarm))
      lack(
        `a deployed detection for the alarm ${alarm} it claims by default (packages/core/src/detections/alarms.ts)`,
      );
  }
  const page = `docs/playbooks/${id}.md`;
  if (!exists(context, page)) lack(`its page ${page} (npm run docs:playbooks)`);
  const { replay } = playbook.docs;
  if ('args' in replay) {
    const event = replay.args.split(' ')[0] ?? '';
    if (!exists(context, event)) lack(`the event its replay names, ${event}`);
  }
  return lacks;
}

/** What the catalogs lack as a whole: a category or a Config rule routed twice, no fallback or two. */
export function lacksOfRouting(context: ConformanceContext): string[] {
  const lacks: string[] = [];
  const playbooks = Object.values(context.playbooks);
  const claims = new Map<string, string[]>();
  const claim = (what: string, id: string) => claims.set(what, [...(claims.get(what) ?? []), id]);
  for (const playbook of playbooks) {
    for (const category of playbook.routes.findings ?? [])
      claim(`GuardDuty category ${category}`, playbook.id);
    const rules = playbook.routes.configRules;
    if (rules !== undefined && rules !== 'any')
      for (const rule of Object.keys(rules)) claim(`Config rule ${rule}`, playbook.id);
    for (const alarm of playbook.routes.alarms?.byDefault ?? [])
      claim(`default of alarm ${alarm}`, playbook.id);
  }
  for (const [what, ids] of claims)
    if (ids.length > 1) lacks.push(`routing: one playbook for ${what}, not ${ids.join(' and ')}`);
  const fallbacks = playbooks
    .filter((playbook) => playbook.routes.fallback === true)
    .map((playbook) => playbook.id);
  if (fallbacks.length !== 1) lacks.push(`routing: exactly one fallback playbook, not ${fallbacks.length}`);
  return lacks;
}
