/**
 * Plays a validated scenario against one sandbox account and one local deployment — the deployed rules,
 * triage, the DynamoDB ledger and claims, settings through the SSM loader, the deployed approval flow — with
 * one clock that every part reads, and reports each step, the executions, what changed and every call.
 */

import { parseDenyPolicy, quarantinedInstances } from '@cordon/core/actions/deny-policy';
import { CORDON_DENY_POLICY_NAME } from '@cordon/core/actions/guardrails';
import type { Incident } from '@cordon/core/intake/incident';
import { intake } from '@cordon/core/intake/intake';
import { releaseExecutionInput } from '@cordon/core/playbooks/release-input';
import type { Decision } from '@cordon/core/policy/decision';
import type { ExecutionInput } from '@cordon/core/triage/execution-input';
import type { TriageResult } from '@cordon/core/triage/triage';
import {
  arrivalRoute,
  asPolledFinding,
  type Delivery,
  type DeliveryRoute,
  LocalDeployment,
} from '@cordon/local/deployment';
import type { ApprovalAnswer, PendingApproval } from '@cordon/local/deployment-approvals';
import { DeploymentClock } from '@cordon/local/deployment-clock';
import type { ExecutionReport } from '@cordon/local/engine';
import { diffFacts, type FactChange, inspectResources, type ResourceFact } from '@cordon/local/inspect';
import { createSandbox, type Sandbox } from '@cordon/local/sandbox/index';
import type { Authorizer } from '@cordon/local/sandbox/types';
import { type Substitution, sandboxForIncident, seedFromIncident } from '@cordon/local/seed';
import { rewriteEvent } from '@cordon/local/seed-event';
import { releaseExecutionName } from './release-plan.ts';
import {
  NOW_PLACEHOLDER,
  type ScenarioEvent,
  type ScenarioFile,
  type ScenarioStep,
  type StepKind,
} from './scenario-file.ts';

/** Triage's answer for one delivered event, as a scenario reports it. */
export type DeliveryResult =
  | 'started'
  | 'notified'
  | 'duplicate'
  | 'ignored'
  | 'rejected'
  | 'dropped'
  | 'failed';

/** The decision, as much of it as a reader of a scenario needs. */
export interface DecisionSummary {
  readonly action: Decision['action'];
  readonly playbook: Decision['playbook'];
  readonly approval: Decision['approval'];
  readonly dryRun: boolean;
  readonly reason: string;
}

/** One event of a `deliver` step. */
export interface DeliveryReport {
  readonly file: string;
  readonly result: DeliveryResult;
  readonly incident: string | null;
  readonly decision: DecisionSummary | null;
  /** The execution triage started, or the one already handling the incident. */
  readonly execution: string | null;
  /** `true` when the decision was made while settings failed closed (it does not hold the incident). */
  readonly provisional?: boolean;
  /** Why there is no incident: EventBridge dropped it, triage rejected it, or triage failed. */
  readonly reason?: string;
}

/** One step of the scenario, as it went. */
export interface StepReport {
  /** 1-based, as the file's steps are numbered in error messages. */
  readonly index: number;
  readonly kind: StepKind;
  /**
   * deliver: triage's result (`started`, `notified`, `duplicate`, `ignored`, `rejected`, `dropped`, `failed`),
   * one per event joined by `+`; decide: `approved`, `rejected` or `nothing-pending`; release: `started`;
   * settings: `written`; fail: `injected`; advance: `advanced`.
   */
  readonly outcome: string;
  /** The deployment's clock when the step began. */
  readonly at: string;
  /** deliver: the first event's incident, decision and result (every event's are in `deliveries`). */
  readonly incident?: string | null;
  readonly decision?: DecisionSummary | null;
  readonly result?: DeliveryResult;
  readonly deliveries?: readonly DeliveryReport[];
  /** decide: each approval answered. */
  readonly approvals?: readonly ApprovalAnswer[];
  /** release: the ec2-release execution started. */
  readonly execution?: { readonly name: string; readonly status: string };
  /** advance: the approvals whose Task timed out. */
  readonly timedOut?: readonly PendingApproval[];
  /** fail: the fault injected. */
  readonly fault?: string;
}

export interface ScenarioExecution {
  readonly name: string;
  readonly playbook: string;
  /** Step Functions' status: `RUNNING` while it waits for an approval. */
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
}

/** One AWS call, as `cordon replay --json` reports it, with its outcome (`ok` or the error's name). */
export interface ScenarioCall {
  readonly service: string;
  readonly command: string;
  readonly input: unknown;
  readonly principal?: string;
  readonly iam?: 'allowed' | 'denied';
  readonly outcome: string;
}

/**
 * `cordon scenario --json`: one object. `steps`, `executions`, `changes` and `calls` are the contract the issue
 * fixes (issue 12); the rest tells the reader where the story ended.
 */
export interface ScenarioReport {
  readonly file: string;
  readonly description?: string;
  /** The deployment's clock at the start and at the end. */
  readonly start: string;
  readonly end: string;
  readonly steps: readonly StepReport[];
  readonly executions: readonly ScenarioExecution[];
  /** Approvals still waiting for a person at the end (their executions were then stopped). */
  readonly pendingApprovals: readonly PendingApproval[];
  readonly changes: readonly FactChange[];
  readonly calls: readonly ScenarioCall[];
  /** Placeholder ids of sample findings replaced by valid ones in the sandbox and the events. */
  readonly substitutions: readonly Substitution[];
}

/**
 * A step that could not run (a release with nothing contained): exit code 1, with the story so far; `cause`
 * is the step's own named error (`ReleaseNothingContainedError`).
 */
export class ScenarioStoppedError extends Error {
  public constructor(
    message: string,
    public readonly report: ScenarioReport,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ScenarioStoppedError';
  }
}

export interface RunScenarioOptions {
  /** IAM's evaluation of every call (default: the policies infra deploys). */
  readonly authorizer?: Authorizer | 'deployed-policies';
  /** Sees each step end (the CLI's progress lines). */
  readonly onStep?: (step: StepReport) => void;
  /** The deployment, once the scenario has ended (before it is closed): `--save` writes its state. */
  readonly onEnd?: (deployment: LocalDeployment) => Promise<void> | void;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Writes `value` at a dotted path, making objects on the way (`detail.service.count`). */
function setPath(target: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  let current = target;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(current)) return;
    if (!isObject(current[key])) current[key] = {};
    current = current[key];
  }
  if (isObject(current)) current[keys.at(-1) as string] = value;
}

/** The sample marker of a GuardDuty finding, wherever the shapes Cordon reads keep it. */
function stripSample(event: unknown): void {
  const roots = isObject(event) ? [event, event.detail, event.Detail] : [];
  for (const root of roots) {
    if (!isObject(root)) continue;
    for (const service of [root.service, root.Service]) {
      if (!isObject(service)) continue;
      for (const info of [service.additionalInfo, service.AdditionalInfo]) {
        if (isObject(info)) {
          delete info.sample;
          delete info.Sample;
        }
      }
    }
  }
}

/** The event a `deliver` step sends: `set` written (`{{now}}` the clock's time), samples made real if asked. */
function prepare(event: ScenarioEvent, step: Extract<ScenarioStep, { kind: 'deliver' }>, now: Date): unknown {
  const copy = structuredClone(event.event);
  for (const [path, value] of Object.entries(step.set)) {
    setPath(copy, path, value === NOW_PLACEHOLDER ? now.toISOString() : structuredClone(value));
  }
  if (step.includeSamples) stripSample(copy);
  return copy;
}

function routeOf(event: unknown, step: Extract<ScenarioStep, { kind: 'deliver' }>): DeliveryRoute {
  return step.via ?? arrivalRoute(event);
}

/** What the sandbox is seeded with: every delivered event's resources, in one account and region. */
interface Seeded {
  readonly sandbox: Sandbox;
  readonly incidents: Incident[];
  /** Per event (by step index and position), what to replace in it so that it names the sandbox's resources. */
  readonly rewrites: Map<string, Substitution[]>;
  readonly substitutions: Substitution[];
}

function seedScenario(scenario: ScenarioFile, clock: DeploymentClock): Seeded {
  let sandbox: Sandbox | undefined;
  const incidents: Incident[] = [];
  const rewrites = new Map<string, Substitution[]>();
  const substitutions: Substitution[] = [];
  for (const [stepIndex, step] of scenario.steps.entries()) {
    if (step.kind !== 'deliver') continue;
    for (const [position, event] of step.events.entries()) {
      const prepared = prepare(event, step, clock.now());
      const route = routeOf(prepared, step);
      const received = intake(route === 'poller' ? asPolledFinding(prepared) : prepared);
      if (!received.accepted) continue;
      const result =
        sandbox === undefined
          ? sandboxForIncident(received.incident, {}, { now: clock.now })
          : { sandbox, ...seedFromIncident(sandbox, received.incident) };
      sandbox = result.sandbox;
      incidents.push(result.incident);
      const eventRewrites = [...result.rewrites];
      if (received.incident.region !== sandbox.account.region) {
        eventRewrites.push({ kind: 'region', from: received.incident.region, to: sandbox.account.region });
      }
      rewrites.set(`${stepIndex}:${position}`, eventRewrites);
      for (const substitution of result.substitutions) {
        if (
          !substitutions.some((known) => known.kind === substitution.kind && known.from === substitution.from)
        ) {
          substitutions.push(substitution);
        }
      }
    }
  }
  return { sandbox: sandbox ?? createSandbox({ now: clock.now }), incidents, rewrites, substitutions };
}

function summary(decision: Decision): DecisionSummary {
  return {
    action: decision.action,
    playbook: decision.playbook,
    approval: decision.approval,
    dryRun: decision.dryRun,
    reason: decision.reason,
  };
}

function deliveryReport(file: string, delivery: Delivery): DeliveryReport {
  if (delivery.outcome === 'dropped') {
    return {
      file,
      result: 'dropped',
      incident: null,
      decision: null,
      execution: null,
      reason: delivery.reason,
    };
  }
  const result: TriageResult | undefined = delivery.results[0];
  if (delivery.outcome === 'failed' || result === undefined) {
    return {
      file,
      result: 'failed',
      incident: null,
      decision: null,
      execution: null,
      reason: `triage failed ${delivery.attempts} times (${delivery.error?.name}: ${delivery.error?.message})`,
    };
  }
  if (result.outcome === 'rejected') {
    return {
      file,
      result: 'rejected',
      incident: null,
      decision: null,
      execution: null,
      reason: result.reason,
    };
  }
  const outcome: DeliveryResult =
    result.outcome === 'started' && result.decision.action === 'notify' ? 'notified' : result.outcome;
  return {
    file,
    result: outcome,
    incident: result.incident.id,
    decision: summary(result.decision),
    execution: result.executionName ?? null,
    ...(result.provisional === true ? { provisional: true } : {}),
  };
}

/** The containment a `release` step undoes: the latest ec2-compromise that contained an instance. */
function containmentOf(deployment: LocalDeployment, target: string): ExecutionReport | undefined {
  const contained = [...deployment.executions.values()].filter(
    (report) =>
      report.playbook === 'ec2-compromise' &&
      report.steps.some((step) => step.id === 'contain-instance' && step.status === 'succeeded') &&
      (target === 'last' || report.input.incident.id === target),
  );
  return contained.at(-1);
}

/** Facts about the roles of the incidents' instances: which instances their cordon-deny denies. */
function denyFacts(sandbox: Sandbox, incidents: readonly Incident[]): ResourceFact[] {
  const iam = sandbox.iam.snapshot();
  const roles = new Set<string>();
  for (const incident of incidents) {
    for (const resource of incident.resources) {
      if (resource.kind !== 'ec2-instance') continue;
      const profileName = resource.instanceProfileArn?.split('/').at(-1);
      const profile = profileName === undefined ? undefined : iam.instanceProfiles[profileName];
      for (const role of profile?.roleNames ?? []) roles.add(role);
    }
  }
  return [...roles].sort().map((role) => {
    const policy = parseDenyPolicy(iam.roles[role]?.inlinePolicies[CORDON_DENY_POLICY_NAME]);
    const denied = quarantinedInstances(policy).map((arn) => arn.split('/').at(-1));
    return { resource: role, attribute: 'cordon-deny instances', value: denied.sort().join(', ') || '-' };
  });
}

function facts(sandbox: Sandbox, incidents: readonly Incident[]): ResourceFact[] {
  const seen = new Set<string>();
  const all = [
    ...incidents.flatMap((incident) => inspectResources(sandbox, incident)),
    ...denyFacts(sandbox, incidents),
  ];
  return all.filter((fact) => {
    const key = `${fact.resource}\u0000${fact.attribute}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function playbookOf(stateMachineArn: string, stage: string): string {
  const name = stateMachineArn.split(':').at(-1) ?? '';
  return name.startsWith(`cordon-${stage}-`) ? name.slice(`cordon-${stage}-`.length) : name;
}

/**
 * Runs a scenario (see the file's comment) and answers its report.
 *
 * @throws ScenarioStoppedError when a step cannot run (its report holds the story so far).
 * @example const report = await runScenario(await loadScenarioFile('scenario.json'));
 */
export async function runScenario(
  scenario: ScenarioFile,
  options: RunScenarioOptions = {},
): Promise<ScenarioReport> {
  const clock = new DeploymentClock(scenario.start);
  const seeded = seedScenario(scenario, clock);
  const { sandbox } = seeded;
  const deployment = await LocalDeployment.create({
    sandbox,
    clock,
    settings: scenario.settings,
    approvals: 'deployed',
    authorizer: options.authorizer ?? 'deployed-policies',
  });
  const start = clock.now().toISOString();
  const before = facts(sandbox, seeded.incidents);
  const firstCall = sandbox.account.calls.length;
  const steps: StepReport[] = [];
  const releases = new Map<string, number>();

  const report = (): ScenarioReport => ({
    file: scenario.path,
    ...(scenario.description === undefined ? {} : { description: scenario.description }),
    start,
    end: clock.now().toISOString(),
    steps,
    executions: deployment.stepFunctions.executions().map((execution) => ({
      name: execution.name,
      playbook: playbookOf(execution.stateMachineArn, deployment.stage),
      status: execution.status,
      ...(execution.error === undefined ? {} : { error: execution.error }),
      ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    })),
    pendingApprovals: deployment.pendingApprovals(),
    changes: diffFacts(before, facts(sandbox, seeded.incidents)),
    calls: sandbox.account.calls
      .slice(firstCall)
      .map(({ service, command, input, principal, iam, outcome }) => ({
        service,
        command,
        input,
        ...(principal === undefined ? {} : { principal }),
        ...(iam === undefined ? {} : { iam }),
        outcome,
      })),
    substitutions: seeded.substitutions,
  });

  try {
    for (const [stepIndex, step] of scenario.steps.entries()) {
      const index = stepIndex + 1;
      const at = clock.now().toISOString();
      let done: StepReport;
      switch (step.kind) {
        case 'deliver': {
          const deliveries = await Promise.all(
            step.events.map(async (event, position) => {
              const prepared = rewriteEvent(
                prepare(event, step, clock.now()),
                seeded.rewrites.get(`${stepIndex}:${position}`) ?? [],
              );
              const delivery =
                routeOf(prepared, step) === 'poller'
                  ? await deployment.poll([asPolledFinding(prepared)])
                  : await deployment.deliver(prepared);
              return deliveryReport(event.file, delivery);
            }),
          );
          const first = deliveries[0] as DeliveryReport;
          done = {
            index,
            kind: step.kind,
            outcome: deliveries.map((delivery) => delivery.result).join('+'),
            at,
            incident: first.incident,
            decision: first.decision,
            result: first.result,
            deliveries,
          };
          break;
        }
        case 'decide': {
          const answers =
            (await deployment.deployedApprovals?.decide(
              step.decision,
              ...(step.by === undefined ? [] : [{ id: step.by }]),
            )) ?? [];
          await deployment.settle();
          done = {
            index,
            kind: step.kind,
            outcome:
              answers.length === 0
                ? 'nothing-pending'
                : answers.every((answer) => answer.outcome === 'approved' || answer.outcome === 'rejected')
                  ? `${step.decision === 'approve' ? 'approved' : 'rejected'}`
                  : [...new Set(answers.map((answer) => answer.outcome))].join('+'),
            at,
            approvals: answers,
          };
          break;
        }
        case 'release': {
          const containment = containmentOf(deployment, step.target);
          if (containment === undefined) {
            throw new ReleaseNothingContainedError(
              step.target === 'last'
                ? `step ${index} (release): no instance has been contained yet`
                : `step ${index} (release): incident ${step.target} has contained no instance`,
            );
          }
          const incidentId = containment.input.incident.id;
          const count = (releases.get(incidentId) ?? 0) + 1;
          releases.set(incidentId, count);
          const name = releaseExecutionName(incidentId, count);
          // The input `cordon release` sends (one source, core's release-input): the containment's input with a
          // decision of the release's own steps, so the release's approval lists release-instance, not the
          // containment's steps.
          const input = releaseExecutionInput({ ...containment.input }, 'ec2-release', {
            requestedBy: 'a responder',
            via: `the scenario's release step ${index}`,
            dryRun: false,
          });
          // The deployment sends it as JSON, as StartExecution does: the shape is release-input's.
          await deployment.start('ec2-release', name, input as unknown as ExecutionInput);
          const status = deployment.stepFunctions
            .executions()
            .find((execution) => execution.name === name)?.status;
          done = {
            index,
            kind: step.kind,
            outcome: 'started',
            at,
            incident: incidentId,
            execution: { name, status: status ?? 'UNKNOWN' },
          };
          break;
        }
        case 'settings':
          // As the team edits SSM: each function sees it once its cache's time to live has passed.
          await deployment.putSettings(step.settings, { caches: 'keep' });
          done = { index, kind: step.kind, outcome: 'written', at };
          break;
        case 'fail':
          sandbox.account.injectFault(step.fault);
          done = { index, kind: step.kind, outcome: 'injected', at, fault: step.text };
          break;
        case 'advance': {
          const timedOut = await deployment.advance(step.ms);
          done = { index, kind: step.kind, outcome: 'advanced', at, timedOut };
          break;
        }
      }
      steps.push(done);
      options.onStep?.(done);
    }
    const finished = report();
    await options.onEnd?.(deployment);
    return finished;
  } catch (error) {
    if (error instanceof ScenarioStepError)
      throw new ScenarioStoppedError(error.message, report(), { cause: error });
    throw error;
  } finally {
    await deployment.close();
  }
}

/** A step that cannot run as written, found while running (not by validation). */
export class ScenarioStepError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ScenarioStepError';
  }
}

/** A `release` step with no contained instance to release (none yet, or not in the incident named). */
export class ReleaseNothingContainedError extends ScenarioStepError {
  public constructor(message: string) {
    super(message);
    this.name = 'ReleaseNothingContainedError';
  }
}
