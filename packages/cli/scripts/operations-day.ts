/**
 * A day of operations on a local deployment, for the operator commands' tests and the real output in
 * docs/operations.md: real events delivered over a few hours of a fixed clock into one sandbox account — a
 * GuardDuty sample the default settings ignore, then (after the security team pushes settings that include
 * samples) a command-and-control instance contained, a Tor caller's key, the root user, and a Config rule's stale
 * key whose approval a person gives in Slack — with every call evaluated by IAM: Cordon's roles against the
 * policies infra deploys, the operators against docs/operations.md's policies.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbApprovalStore } from '@cordon/core/approval/records';
import { newApprovalId } from '@cordon/core/approval/request-approval';
import type { Incident } from '@cordon/core/intake/incident';
import { intake } from '@cordon/core/intake/intake';
import { sandboxClient } from '@cordon/local/clients';
import { type Delivery, LocalDeployment } from '@cordon/local/deployment';
import type { ApprovalResponder } from '@cordon/local/engine';
import { cordonAuthorizer } from '@cordon/local/iam/authorizer';
import { createSandbox, type Sandbox } from '@cordon/local/sandbox/index';
import type { Principal } from '@cordon/local/sandbox/types';
import { seedFromIncident } from '@cordon/local/seed';
import { rewriteEvent } from '@cordon/local/seed-event';
import { sandboxStage } from '../src/aws/sandbox-stage.ts';
import type { Io } from '../src/io.ts';
import { main } from '../src/main.ts';
import { type OperatorRole, operatorPolicies } from '../src/operator-policies.ts';
import { type OperatorAuthorizer, operatorAuthorizer } from './operator-authorizer.ts';

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const STAGE = 'local';
/** When the day starts (the sandbox's clock, the CLI's clock). */
export const DAY_START = '2026-11-20T09:00:00.000Z';

/** The operators, by role: IAM roles of the home account (an SSO permission set appears the same way). */
export const OPERATORS: Readonly<Record<OperatorRole, Principal>> = {
  'cordon-operator': { arn: `arn:aws:iam::${ACCOUNT}:role/cordon-operator`, account: ACCOUNT },
  'cordon-settings-admin': { arn: `arn:aws:iam::${ACCOUNT}:role/cordon-settings-admin`, account: ACCOUNT },
  'cordon-responder': { arn: `arn:aws:iam::${ACCOUNT}:role/cordon-responder`, account: ACCOUNT },
};

/** Who approves in Slack, and what they write, approval after approval. */
export const APPROVER = { kind: 'slack', id: 'U0123ABCD', name: 'Jane Doe' } as const;
export const APPROVAL_COMMENTS = [
  'Confirmed with the web team: isolate it.',
  'The key belongs to a CI user; cut it.',
  'Key owner confirmed it is unused; deactivate.',
] as const;

/** A movable clock shared by the sandbox, the deployment and the CLI. */
export class Clock {
  private time: number;
  public constructor(start: string) {
    this.time = Date.parse(start);
  }
  public now(): Date {
    return new Date(this.time);
  }
  public advance(seconds: number): void {
    this.time += seconds * 1000;
  }
}

/** What one CLI run printed. */
export interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

export interface OperationsDay {
  readonly sandbox: Sandbox;
  readonly deployment: LocalDeployment;
  readonly clock: Clock;
  readonly iam: OperatorAuthorizer;
  /** Incident ids by what they are. */
  readonly incidents: Readonly<Record<string, string>>;
  /** Runs `cordon <argv>` as an operator against the deployment, with the day's clock. */
  run(role: OperatorRole, argv: readonly string[], io?: Partial<Io>): Promise<Run>;
  /** Delivers a real event (seeding what it names into the sandbox first), as EventBridge or the poller would. */
  deliver(
    file: string,
    options?: {
      via?: 'eventbridge' | 'poller';
      findingAgeSeconds?: number;
      /** Changes the event before it is seeded and delivered (a finding's title, for escaping tests). */
      change?: (event: Record<string, unknown>) => void;
    },
  ): Promise<{ incident: Incident; delivery: Delivery }>;
}

/** The bundled events and demo files of the CLI package. */
export function packageFile(path: string): string {
  return join(PACKAGE_DIR, path);
}

/**
 * Approvals answered as the deployed flow records them: request-approval's record in the approvals table (the
 * real store), a person's decision on it a few minutes later (what the approval API writes), the callback
 * recorded as sent — then SendTaskSuccess's output to the playbook.
 */
function slackApprovals(deployment: LocalDeployment, clock: Clock): ApprovalResponder {
  const store = new DynamoDbApprovalStore({
    client: sandboxClient(deployment.sandbox, DynamoDBClient, { region: deployment.region }),
    tableName: deployment.names.approvalsTable,
  });
  let count = 0;
  return async ({ taskToken, payload }) => {
    count += 1;
    const fill = count;
    const timeoutSeconds = typeof payload.timeoutSeconds === 'number' ? payload.timeoutSeconds : 3600;
    const requestedAt = clock.now();
    const approvalId = newApprovalId((size) => Buffer.alloc(size, fill));
    await store.create({
      approvalId,
      taskToken,
      incidentId: String(payload.incidentId),
      account: String(payload.account),
      region: String(payload.region),
      step: String(payload.step),
      actions: Array.isArray(payload.actions) ? payload.actions.map(String) : [],
      ...(typeof payload.playbook === 'string' ? { playbook: payload.playbook } : {}),
      ...(typeof payload.reason === 'string' ? { reason: payload.reason } : {}),
      dryRun: payload.dryRun === true,
      ...(payload.timeoutDefault === 'approve' || payload.timeoutDefault === 'reject'
        ? { timeoutDefault: payload.timeoutDefault }
        : {}),
      incident: payload.incident as never,
      requestedAt: requestedAt.toISOString(),
      expiresAt: new Date(requestedAt.getTime() + timeoutSeconds * 1000).toISOString(),
      approvers: { slackUserIds: [APPROVER.id], slackUserGroupIds: [], identities: [] },
      status: 'pending',
    });
    clock.advance(7 * 60);
    const decision = {
      decision: 'approve' as const,
      decidedBy: { ...APPROVER },
      decidedAt: clock.now().toISOString(),
      comment: APPROVAL_COMMENTS[(fill - 1) % APPROVAL_COMMENTS.length] as string,
    };
    await store.decide(approvalId, decision, 'pending');
    await store.recordCallback(approvalId, { status: 'sent', at: clock.now().toISOString() });
    return decision;
  };
}

/**
 * The deployment, with nothing delivered yet: default settings, IAM evaluated for every principal.
 *
 * @example const day = await operationsDayStart(); await day.deliver('events/guardduty/…');
 */
export async function operationsDayStart(): Promise<OperationsDay> {
  const clock = new Clock(DAY_START);
  const sandbox = createSandbox({ accountId: ACCOUNT, region: REGION, now: () => clock.now() });
  const deploymentScope = { stage: STAGE, homeAccount: ACCOUNT, region: REGION };
  const iam = operatorAuthorizer(
    sandbox,
    {
      [OPERATORS['cordon-operator'].arn]: operatorPolicies({
        account: ACCOUNT,
        region: REGION,
        stage: STAGE,
      })['cordon-operator'],
      [OPERATORS['cordon-settings-admin'].arn]: operatorPolicies({
        account: ACCOUNT,
        region: REGION,
        stage: STAGE,
      })['cordon-settings-admin'],
      [OPERATORS['cordon-responder'].arn]: operatorPolicies({
        account: ACCOUNT,
        region: REGION,
        stage: STAGE,
      })['cordon-responder'],
    },
    cordonAuthorizer({ deployment: deploymentScope, sandbox }),
  );
  const deployment = await LocalDeployment.create({ sandbox, stage: STAGE, authorizer: iam });
  deployment.approvals = slackApprovals(deployment, clock);
  const incidents: Record<string, string> = {};
  return {
    sandbox,
    deployment,
    clock,
    iam,
    incidents,
    async run(role, argv, io = {}) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(
        argv,
        { out: (...lines) => out.push(...lines), err: (line) => err.push(line), ...io },
        {
          connect: async ({ stage, region }) => {
            if (stage !== deployment.stage) {
              // What a stage that is not deployed looks like: its parameters and table are not there.
              return {
                ...sandboxStage(deployment, OPERATORS[role]),
                stage,
                ...(region === undefined ? {} : { region }),
              };
            }
            return sandboxStage(deployment, OPERATORS[role]);
          },
          now: () => clock.now(),
        },
      );
      return { code, out, err };
    },
    async deliver(file, options = {}) {
      const event = JSON.parse(readFileSync(packageFile(file), 'utf8')) as Record<string, unknown>;
      if (options.findingAgeSeconds !== undefined) findingUpdatedAt(event, clock, options.findingAgeSeconds);
      options.change?.(event);
      placeholderAccounts(event);
      const via = options.via ?? 'eventbridge';
      const delivered = via === 'poller' && typeof event.detail === 'object' ? event.detail : event;
      const received = intake(delivered);
      if (!received.accepted) throw new Error(`${file}: the intake rejects it (${received.reason})`);
      const seeded = seedFromIncident(sandbox, received.incident);
      const rewrites = [...seeded.rewrites];
      if (received.incident.region !== REGION) {
        rewrites.push({ kind: 'region', from: received.incident.region, to: REGION });
      }
      const rewritten = rewriteEvent(delivered, rewrites);
      const delivery =
        via === 'poller' ? await deployment.poll([rewritten]) : await deployment.deliver(rewritten);
      // The incident as triage saw it: the rewritten event names the sandbox's account and region.
      const seen = intake(rewritten);
      return { incident: seen.accepted ? seen.incident : seeded.incident, delivery };
    },
  };
}

/**
 * Moves the finding's last update (GuardDuty `updatedAt`, Config's result time) to `ageSeconds` before the clock:
 * the bundled samples were made years ago, and the day's time from finding to containment should read as it
 * would for a finding of that day. Nothing else of the event changes.
 */
function findingUpdatedAt(event: Record<string, unknown>, clock: Clock, ageSeconds: number): void {
  const at = new Date(clock.now().getTime() - ageSeconds * 1000).toISOString();
  const detail = event.detail as Record<string, unknown> | undefined;
  if (detail === undefined) return;
  if (typeof detail.updatedAt === 'string') detail.updatedAt = at;
  if (typeof detail.UpdatedAt === 'string') detail.UpdatedAt = at;
  const result = detail.newEvaluationResult as Record<string, unknown> | undefined;
  if (result !== undefined && typeof result.resultRecordedTime === 'string') result.resultRecordedTime = at;
}

/**
 * Published samples name a placeholder account (`1234567891234`, 13 digits) that the intake refuses: as the
 * sandbox does for replays (`sandboxForEvent` in packages/local/src/seed-event.ts), such an id in an account
 * field becomes the sandbox's account before the event is delivered.
 */
function placeholderAccounts(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) placeholderAccounts(item);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(record)) {
    if (ACCOUNT_FIELDS.has(key) && typeof field === 'string' && !/^\d{12}$/.test(field))
      record[key] = ACCOUNT;
    else placeholderAccounts(field);
  }
}

const ACCOUNT_FIELDS: ReadonlySet<string> = new Set(['account', 'accountId', 'AccountId', 'awsAccountId']);

/** The settings file the security team pushes mid-morning: GuardDuty samples included, for a pipeline test. */
export const PUSHED_SETTINGS = { includeSampleFindings: true, approval: { timeoutSeconds: 1800 } };

/** The day's events, in order, with the hours between them. */
export const DAY_EVENTS = {
  ignoredSample: 'events/guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json',
  commandAndControl: 'events/guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json',
  torCaller: 'events/guardduty/eb-iam-toripcaller-custodian.json',
  rootUser: 'demo/guardduty-root-credential-usage-camelcase.json',
  staleKeys: 'demo/config-access-keys-rotated-noncompliant.json',
} as const;

/**
 * The whole day: a sample ignored under the default settings; the settings pushed (as the settings admin, through
 * `cordon settings push`); four incidents over the afternoon. Returns the day, with its incidents by name.
 */
export async function operationsDay(): Promise<OperationsDay> {
  const day = await operationsDayStart();
  const record = (name: string, incident: Incident) => {
    (day.incidents as Record<string, string>)[name] = incident.id;
  };
  record(
    'ignoredSample',
    (await day.deliver(DAY_EVENTS.ignoredSample, { via: 'poller', findingAgeSeconds: 240 })).incident,
  );
  day.clock.advance(3600);
  const pushed = await day.run('cordon-settings-admin', [
    'settings',
    'push',
    '--stage',
    STAGE,
    settingsFile(),
    '--yes',
  ]);
  if (pushed.code !== 0) throw new Error(`settings push failed: ${pushed.err.join('\n')}`);
  // An hour on, every function's settings cache (60 s) has expired; the caches run on the wall clock, not on
  // the sandbox's, so the deployment is told (docs/local-deployment.md, "The caches run on the wall clock").
  day.deployment.clearSettingsCaches();
  for (const name of ['commandAndControl', 'torCaller', 'rootUser', 'staleKeys'] as const) {
    day.clock.advance(3600);
    record(name, (await day.deliver(DAY_EVENTS[name], { findingAgeSeconds: 240 })).incident);
  }
  day.clock.advance(1800);
  return day;
}

/** The pushed settings as a file (written once into the OS's temporary directory). */
export function settingsFile(): string {
  return writeOnce('cordon-operations-day-settings.json', PUSHED_SETTINGS);
}

let directory: string | undefined;

/** A file of JSON in a temporary directory of this process. */
export function writeOnce(name: string, value: unknown): string {
  directory ??= mkdtempSync(join(tmpdir(), 'cordon-operations-'));
  const path = join(directory, name);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}
