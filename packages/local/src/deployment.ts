/**
 * The local deployment: Cordon as `sst deploy` would deploy it, in miniature, over one sandbox account. Events
 * go through the deployed EventBridge rules (an event no rule matches is dropped, as EventBridge drops it) to
 * the triage function's own handler; triage keeps its ledger, claims and blast radius in the stage's DynamoDB
 * table, reads its settings from the stage's SSM parameters through the Powertools settings loader, reads the
 * instance with its observer and starts the playbook through StartExecution; the playbook runs in the local
 * engine, whose action functions are the deployed handlers with the same loader, ledger and clients. Every
 * client is made as the principal that makes the call in AWS. Nothing here decides anything: the decisions
 * are the deployed code's.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ActionId } from '@cordon/core/actions/catalog';
import {
  deployedRules,
  type EventRule,
  type EventRuleId,
  explainNoMatch,
  matchingRules,
} from '@cordon/core/events/rules';
import { DynamoDbLedger } from '@cordon/core/ledger/dynamodb-ledger';
import { PLAYBOOK_IDS, type PlaybookId } from '@cordon/core/playbooks/ids';
import { settingsPath } from '@cordon/core/policy/settings';
import type { ExecutionInput } from '@cordon/core/triage/execution-input';
import type { TriageResult } from '@cordon/core/triage/triage';
import { createSettingsLoader, type LoadedSettings, type SettingsLoader } from '@cordon/functions/settings';
import {
  accountClientsByHome,
  actionRoleArn,
  observerRoleArn,
} from '@cordon/functions/shared/account-clients';
import type { ActionHandlerDependencies } from '@cordon/functions/shared/action-handler';
import { createTriageHandler, triageDependencies } from '@cordon/functions/triage';
import type { Context } from 'aws-lambda';
import { functionPrincipal, sandboxAssumeRole, sandboxClient, sandboxConstructors } from './clients.ts';
import { DeployedApprovals, type PendingApproval } from './deployment-approvals.ts';
import type { DeploymentClock } from './deployment-clock.ts';
import type { Delivery, DeliveryRoute, Route } from './deployment-routes.ts';
import { settingsParameterValues } from './deployment-settings.ts';
import { type ExecutionRecord, StepFunctionsModel } from './deployment-step-functions.ts';
import { type ApprovalResponder, type ExecutionReport, LocalEngine, type StepRun } from './engine.ts';
import { ApprovalUnansweredError, LocalDeploymentConfigError } from './errors.ts';
import type { Sandbox } from './sandbox/index.ts';
import type { Authorizer, Principal } from './sandbox/types.ts';
import {
  type CordonResourceNames,
  cordonResourceNames,
  DEFAULT_STAGE,
  sandboxTopicArn,
  seedCordonResources,
  seedDetectionThresholds,
} from './seed.ts';

export {
  arrivalRoute,
  asPolledFinding,
  type Delivery,
  type DeliveryRoute,
  type Route,
} from './deployment-routes.ts';
export { DEFAULT_STAGE } from './seed.ts';

/**
 * Lambda runs an asynchronously invoked function (EventBridge's targets, the poller's batches) up to three
 * times when it returns an error, waiting one minute before the second attempt and two before the third
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html). A deployment with a
 * movable clock moves it by those waits (so a retry finds its settings cache expired, as in AWS); without
 * one, the waits are not modelled.
 */
export const TRIAGE_ATTEMPTS = 3;
const RETRY_WAITS_MS = [60_000, 120_000] as const;

export interface LocalDeploymentOptions {
  readonly sandbox: Sandbox;
  /** The stage: names `/cordon/<stage>/`, `cordon-<stage>-…` (default `local`). */
  readonly stage?: string;
  /**
   * Cordon's home account, where its functions, tables and parameters live (default: the sandbox's account).
   * An incident in another account is acted on through the member-account roles, as deployed.
   */
  readonly homeAccount?: string;
  /** Cordon's home region (default: the sandbox's region). */
  readonly region?: string;
  /**
   * The settings the stage's SSM parameters hold: any subset of the settings (the rest keep the defaults infra
   * creates), as a `--settings` file holds them. Written through SSM's API; triage and the actions read them
   * back through the settings loader, so settings SSM would refuse fail closed here as they would there.
   */
  readonly settings?: unknown;
  /**
   * Answers approvals: a responder (answering at once, or a person on the local page), or `'deployed'` — the
   * deployed request-approval function records each approval and the playbook waits until `decide` answers it
   * through the approval API, as a Slack click does ({@link DeployedApprovals}). Without one, a playbook that
   * asks fails its approval step with `ApprovalUnansweredError`.
   */
  readonly approvals?: ApprovalResponder | 'deployed';
  /**
   * IAM's evaluation of each call by its principal (installed on the sandbox account): an authorizer, or
   * `'deployed-policies'` for the evaluation of every call against the policies infra deploys for this stage,
   * home account and region (`cordonAuthorizer`, packages/local/src/iam) — a call they would deny is denied.
   */
  readonly authorizer?: Authorizer | 'deployed-policies';
  /** The clock of triage, the ledger, the blast radius and the engine (default: the sandbox's clock). */
  readonly now?: () => Date;
  /**
   * The deployment's movable clock (`advance`): give the sandbox the same (`createSandbox({ now: clock.now })`),
   * so that every part reads one clock. Its `now` is then the deployment's.
   */
  readonly clock?: DeploymentClock;
  /** Sees each step run start and end. */
  readonly onStep?: (execution: string, step: StepRun) => void;
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Cordon deployed over a sandbox account. Create it with {@link LocalDeployment.create} (it writes the stage's
 * settings through SSM first), then `deliver` events as EventBridge would, or `poll` findings as the poller
 * hands them over. Its state lives in the sandbox: the ledger table, the parameters, the executions (the Step
 * Functions model), the account's resources.
 *
 * @example
 * const deployment = await LocalDeployment.create({ sandbox, settings: { includeSampleFindings: true }, approvals: automaticApprovals('approve') });
 * const delivery = await deployment.deliver(event);
 * delivery.outcome === 'delivered' && delivery.executions[0]?.status // 'SUCCEEDED'
 */
export class LocalDeployment {
  public readonly sandbox: Sandbox;
  public readonly stage: string;
  public readonly homeAccount: string;
  public readonly region: string;
  /** The EventBridge rules as infra deploys them (core's `deployedRules`). */
  public readonly rules: readonly EventRule[];
  public readonly names: CordonResourceNames;
  public readonly topicArn: string;
  public readonly engine: LocalEngine;
  public readonly stepFunctions: StepFunctionsModel;
  /** Answers the playbooks' approvals; may be replaced between deliveries (a rehearsal that rejects next). */
  public approvals: ApprovalResponder;
  /** The deployed approval flow, when the deployment was created with `approvals: 'deployed'`. */
  public deployedApprovals: DeployedApprovals | undefined;
  public readonly now: () => Date;
  private readonly clock: DeploymentClock | undefined;
  private readonly loaders = new Map<string, SettingsLoader>();
  private readonly triage: ReturnType<typeof createTriageHandler>;
  /** Executions started and not finished, by name. */
  private readonly running = new Map<string, Promise<ExecutionReport>>();
  /** Running executions waiting for a person (deployed approvals): `settle` counts them as settled. */
  private readonly waiting = new Set<string>();
  private readonly changes = new Set<() => void>();

  /**
   * Sets the deployment up over the sandbox and writes its settings to SSM.
   *
   * @throws LocalSettingsInvalidError, LocalDeploymentConfigError or SettingsStageInvalidError before anything
   *   is made in the sandbox.
   */
  public static async create(options: LocalDeploymentOptions): Promise<LocalDeployment> {
    // Settings SSM could not hold are refused before the deployment touches the sandbox.
    settingsParameterValues(options.settings ?? {});
    const deployment = new LocalDeployment(options);
    if (options.authorizer === 'deployed-policies') {
      // Loaded on demand: the IAM reference data is large, and planning needs none of it.
      const { cordonAuthorizer } = await import('./iam/authorizer.ts');
      const { stage, homeAccount, region, sandbox } = deployment;
      sandbox.account.authorizeWith(
        cordonAuthorizer({ deployment: { stage, homeAccount, region }, sandbox }),
      );
    }
    await deployment.putSettings(options.settings ?? {});
    seedDetectionThresholds(deployment.sandbox, deployment.stage);
    if (options.approvals === 'deployed') {
      const approvals = await DeployedApprovals.create({
        sandbox: deployment.sandbox,
        stage: deployment.stage,
        region: deployment.region,
        approvalsTable: deployment.names.approvalsTable,
        topicArn: deployment.topicArn,
        principal: (id) => deployment.principal(id),
        settingsLoader: (id) => deployment.settingsLoader(id),
        context: (id) => deployment.context(id),
        now: deployment.now,
        onWaiting: (execution, waiting) => deployment.markWaiting(execution, waiting),
      });
      deployment.deployedApprovals = approvals;
      deployment.approvals = approvals.responder;
    }
    return deployment;
  }

  private constructor(options: LocalDeploymentOptions) {
    const { sandbox } = options;
    this.sandbox = sandbox;
    this.stage = options.stage ?? DEFAULT_STAGE;
    this.homeAccount = options.homeAccount ?? sandbox.account.accountId;
    this.region = options.region ?? sandbox.account.region;
    if (!ACCOUNT_ID.test(this.homeAccount)) {
      throw new LocalDeploymentConfigError(
        `homeAccount must be a 12-digit account id, got ${this.homeAccount}`,
      );
    }
    // Refuses a stage that would change the parameter path (SettingsStageInvalidError), before anything is made.
    settingsPath(this.stage);
    if (hasStepFunctions(sandbox)) {
      throw new LocalDeploymentConfigError(
        'this sandbox already has a deployment (its Step Functions): one local deployment per sandbox account',
      );
    }
    this.clock = options.clock;
    this.now = options.clock?.now ?? options.now ?? (() => sandbox.account.context.now());
    this.names = cordonResourceNames(this.stage);
    this.rules = deployedRules();
    seedCordonResources(sandbox, this.stage);
    this.topicArn = sandboxTopicArn(sandbox, this.stage);
    if (typeof options.authorizer === 'function') sandbox.account.authorizeWith(options.authorizer);

    const stateMachines = Object.fromEntries(
      PLAYBOOK_IDS.map((playbook) => [playbook, this.stateMachineArn(playbook)]),
    ) as Record<PlaybookId, string>;
    this.approvals =
      options.approvals === undefined || options.approvals === 'deployed' ? unanswered : options.approvals;
    this.engine = new LocalEngine({
      approvals: (request) => this.approvals(request),
      actionDependencies: (action) => this.actionDependencies(action),
      functionArn: (id) => this.functionArn(id),
      now: this.now,
      ...(options.onStep === undefined ? {} : { onStep: options.onStep }),
    });
    this.stepFunctions = new StepFunctionsModel(sandbox.account.context, {
      stateMachineArns: Object.values(stateMachines),
      onStart: (execution) => this.runExecution(execution, stateMachines),
      onTaskCallback: (token, callback) => this.deployedApprovals?.callback(token, callback) ?? false,
    });
    sandbox.account.register(this.stepFunctions);

    const triage = this.principal('triage');
    this.triage = createTriageHandler(
      triageDependencies({
        stage: this.stage,
        logger: silentLogger('cordon-triage'),
        // Its warnings (an invocation with no metric) go to the same silent logger: the report says what happened.
        metrics: new Metrics({
          namespace: 'Cordon',
          serviceName: 'cordon-triage',
          logger: silentLogger('cordon-triage'),
        }),
        ledgerTable: this.names.ledgerTable,
        dynamodb: sandboxClient(sandbox, DynamoDBClient, { principal: triage, region: this.region }),
        sfn: sandboxClient(sandbox, SFNClient, { principal: triage, region: this.region }),
        stateMachines,
        settingsLoader: this.settingsLoader('triage'),
        observerClients: accountClientsByHome({
          region: this.region,
          constructors: sandboxConstructors(sandbox, triage),
          roleArn: observerRoleArn,
          sessionName: 'cordon-observer',
          assumeRole: sandboxAssumeRole,
        }),
        now: this.now,
      }),
    );
  }

  /** The role a function runs as: `arn:aws:iam::<home>:role/cordon-<stage>-<function id>`. */
  public principal(functionId: string): Principal {
    return functionPrincipal(this.homeAccount, this.stage, functionId);
  }

  public functionArn(functionId: string): string {
    return `arn:aws:lambda:${this.region}:${this.homeAccount}:function:cordon-${this.stage}-${functionId}`;
  }

  public stateMachineArn(playbook: PlaybookId): string {
    return `arn:aws:states:${this.region}:${this.homeAccount}:stateMachine:cordon-${this.stage}-${playbook}`;
  }

  /** The executions run so far, by name, with their steps. */
  public get executions(): ReadonlyMap<string, ExecutionReport> {
    return this.engine.executions;
  }

  /** Where the deployed rules send an event (`eventbridge`), or the poller's way (`poller`). */
  public route(event: unknown, via: DeliveryRoute = 'eventbridge'): Route {
    if (via === 'poller') return { outcome: 'delivered', via, rules: [] };
    const rules = matchingRules(this.rules, event);
    if (rules.length === 0) return { outcome: 'dropped', via, reason: explainNoMatch(this.rules, event) };
    return { outcome: 'delivered', via, rules: rules.map((rule) => rule.id as EventRuleId) };
  }

  /**
   * Puts an event on the bus: each rule that matches it invokes triage with it (EventBridge sends the event to
   * the targets of every rule it matches: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus.html);
   * none matching, it is dropped. Waits for the executions triage started.
   */
  public async deliver(event: unknown): Promise<Delivery> {
    const route = this.route(event);
    if (route.outcome === 'dropped') return route;
    return this.invoke('eventbridge', route.rules, event, route.rules.length);
  }

  /** The GuardDuty poller's way: one batch of raw findings handed to triage (`{ source: 'cordon.poller', findings }`). */
  public async poll(findings: readonly unknown[]): Promise<Delivery> {
    return this.invoke('poller', [], { source: 'cordon.poller', findings: [...findings] }, 1);
  }

  /**
   * Starts a playbook as a responder does (StartExecution on the stage's state machine, e.g. `ec2-release`
   * for a contained instance) and waits for it.
   *
   * @throws the Step Functions error (`ExecutionAlreadyExists`, `InvalidName`…) when StartExecution refuses it.
   */
  public async start(playbook: PlaybookId, name: string, input: ExecutionInput): Promise<ExecutionReport> {
    const sfn = sandboxClient(this.sandbox, SFNClient, { region: this.region });
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn(playbook),
        name,
        input: JSON.stringify(input),
      }),
    );
    await this.settle();
    const report = this.engine.executions.get(name);
    if (report === undefined) throw new Error(`execution ${name} was started but not run`);
    return report;
  }

  /**
   * The settings the stage's parameters hold now, read through the settings loader by an operator (no
   * principal, no cache): what the CLI shows and the approval page is set up with. The functions read with
   * their own loaders.
   */
  public async settings(): Promise<LoadedSettings> {
    return createSettingsLoader({
      stage: this.stage,
      maxAgeSeconds: 0,
      ssmClient: sandboxClient(this.sandbox, SSMClient, { region: this.region }),
    }).load();
  }

  /**
   * Replaces the stage's settings parameters with these settings (a subset; the rest take the defaults), as
   * the security team would through SSM. By default every function's cache is cleared as well (its next load
   * reads SSM); `{ caches: 'keep' }` leaves them, so that the change is seen once each cache's time to live
   * has passed on the deployment's clock, as in AWS.
   *
   * @throws LocalSettingsInvalidError when a value could not be stored in SSM (nothing is written).
   */
  public async putSettings(
    settings: unknown,
    options: { readonly caches?: 'clear' | 'keep' } = {},
  ): Promise<void> {
    const values = settingsParameterValues(settings);
    const path = settingsPath(this.stage);
    const stale = Object.keys(this.sandbox.ssm.snapshot().parameters).filter(
      (name) => name.startsWith(path) && !Object.hasOwn(values, name.slice(path.length)),
    );
    for (let index = 0; index < stale.length; index += 10) {
      await this.sandbox.account.dispatch('SSM', 'DeleteParameters', {
        Names: stale.slice(index, index + 10),
      });
    }
    for (const [name, value] of Object.entries(values)) {
      await this.sandbox.account.dispatch('SSM', 'PutParameter', {
        Name: `${path}${name}`,
        Value: value,
        Type: 'String',
        Overwrite: true,
      });
    }
    if (options.caches !== 'keep') this.clearSettingsCaches();
  }

  /** Every function reads SSM again on its next settings load. */
  public clearSettingsCaches(): void {
    for (const loader of this.loaders.values()) loader.clearCache();
  }

  /**
   * Moves the deployment's clock forward (it must have been created with `clock`): the settings caches, the
   * blast-radius hour and the approvals' deadlines follow; an approval whose Task timed out fails with
   * `States.Timeout`, and its playbook goes on (escalation, the timeout default) until it ends or waits again.
   *
   * @throws LocalDeploymentConfigError when the deployment has no movable clock.
   */
  public async advance(ms: number): Promise<PendingApproval[]> {
    if (this.clock === undefined) {
      throw new LocalDeploymentConfigError(
        'this deployment was created without a movable clock (option clock)',
      );
    }
    this.clock.advance(ms);
    const expired = this.deployedApprovals?.expire(this.now()) ?? [];
    await this.settle();
    return expired;
  }

  /**
   * Waits until every execution started so far has ended, or waits for a person (an approval of the deployed
   * flow); answers the reports of those that ended meanwhile, in the order they ended.
   */
  public async settle(): Promise<ExecutionReport[]> {
    const reports: ExecutionReport[] = [];
    for (;;) {
      const active = [...this.running.entries()].filter(([name]) => !this.waiting.has(name));
      if (active.length === 0) return reports;
      const changed = new Promise<void>((resolve) => this.changes.add(resolve));
      const ended = await Promise.race([
        ...active.map(([name, run]) => run.then((report) => ({ name, report }))),
        changed.then(() => undefined),
      ]);
      if (ended !== undefined && this.running.get(ended.name) !== undefined) {
        this.running.delete(ended.name);
        reports.push(ended.report);
      }
    }
  }

  /**
   * Stops what still waits for a person (each such execution ends `ABORTED`, as StopExecution would end it)
   * and waits for the rest to end: a process can then exit with nothing pending.
   */
  public async close(): Promise<void> {
    // Stopped, as StopExecution stops them: no escalation, no timeout default runs after the rehearsal.
    for (const name of [...this.waiting]) this.engine.abort(name);
    this.waiting.clear();
    this.deployedApprovals?.forget();
    await this.settle();
  }

  /** The deployed approval flow's pending approvals (empty for other responders). */
  public pendingApprovals(): PendingApproval[] {
    return this.deployedApprovals?.pending() ?? [];
  }

  private markWaiting(execution: string, waiting: boolean): void {
    if (waiting) this.waiting.add(execution);
    else this.waiting.delete(execution);
    this.notify();
  }

  private notify(): void {
    const listeners = [...this.changes];
    this.changes.clear();
    for (const listener of listeners) listener();
  }

  private async invoke(
    via: DeliveryRoute,
    rules: readonly EventRuleId[],
    event: unknown,
    invocations: number,
  ): Promise<Delivery> {
    const results: TriageResult[] = [];
    let attempts = 0;
    let error: { name: string; message: string } | undefined;
    for (let target = 0; target < invocations; target += 1) {
      for (let attempt = 1; attempt <= TRIAGE_ATTEMPTS; attempt += 1) {
        attempts += 1;
        if (attempt > 1) this.clock?.advance(RETRY_WAITS_MS[attempt - 2] ?? 0);
        try {
          // Each target gets its own copy of the event, as each invocation carries its own payload.
          const answer = await this.triage(structuredClone(event), this.context('triage'));
          results.push(...answer.results);
          error = undefined;
          break;
        } catch (thrown) {
          error = {
            name: thrown instanceof Error ? thrown.name : 'Error',
            message: thrown instanceof Error ? thrown.message : String(thrown),
          };
        }
      }
      if (error !== undefined) break;
    }
    await this.settle();
    const executions = results.flatMap((result) => {
      if (result.outcome !== 'started' || result.executionName === undefined) return [];
      const report = this.engine.executions.get(result.executionName);
      return report === undefined ? [] : [report];
    });
    return {
      outcome: error === undefined ? 'delivered' : 'failed',
      via,
      rules,
      results,
      attempts,
      ...(error === undefined ? {} : { error }),
      executions,
    };
  }

  /** The Lambda context a function's handler is invoked with (only the fields the middlewares read). */
  public context(functionId: string): Context {
    const invokedFunctionArn = this.functionArn(functionId);
    return {
      functionName: `cordon-${this.stage}-${functionId}`,
      invokedFunctionArn,
      awsRequestId: `local-${this.now().getTime().toString(36)}`,
      getRemainingTimeInMillis: () => 60_000,
    } as Context; // only the fields the middlewares read
  }

  /**
   * One settings loader (and cache) per function, as each function's containers keep their own; its time to
   * live runs on the deployment's clock.
   */
  public settingsLoader(functionId: string): SettingsLoader {
    let loader = this.loaders.get(functionId);
    if (loader === undefined) {
      loader = createSettingsLoader({
        stage: this.stage,
        now: this.now,
        ssmClient: sandboxClient(this.sandbox, SSMClient, {
          principal: this.principal(functionId),
          region: this.region,
        }),
      });
      this.loaders.set(functionId, loader);
    }
    return loader;
  }

  /** What the deployed action function builds from its environment, on the sandbox's clients. */
  private actionDependencies(action: ActionId): ActionHandlerDependencies {
    const principal = this.principal(action);
    const dynamodb = sandboxClient(this.sandbox, DynamoDBClient, { principal, region: this.region });
    const loader = this.settingsLoader(action);
    return {
      // The handlers' own logs would drown the timeline; the ledger and the report say what happened.
      logger: silentLogger(`cordon-${action}`),
      metrics: new Metrics({
        namespace: 'Cordon',
        serviceName: `cordon-${action}`,
        logger: silentLogger(`cordon-${action}`),
      }),
      loadSettings: () => loader.load(),
      clientsFor: accountClientsByHome({
        region: this.region,
        constructors: sandboxConstructors(this.sandbox, principal),
        roleArn: actionRoleArn(action),
        assumeRole: sandboxAssumeRole,
      }),
      ledgerFor: (settings) =>
        new DynamoDbLedger({
          client: dynamodb,
          tableName: this.names.ledgerTable,
          retentionDays: settings.ledgerRetentionDays,
        }),
      notifications: async () => ({ snsTopicArn: this.topicArn }),
      now: this.now,
    };
  }

  /** Step Functions started an execution: the engine runs it, after StartExecution has answered. */
  private runExecution(
    execution: ExecutionRecord,
    stateMachines: Readonly<Record<PlaybookId, string>>,
  ): void {
    const playbook = (Object.keys(stateMachines) as PlaybookId[]).find(
      (id) => stateMachines[id] === execution.stateMachineArn,
    ) as PlaybookId; // the model starts executions of these state machines only
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.engine.run(execution.name, playbook, JSON.parse(execution.input) as ExecutionInput))
      .catch(
        (error: unknown): ExecutionReport => ({
          name: execution.name,
          playbook,
          status: 'FAILED',
          steps: [],
          transitions: 0,
          error: error instanceof Error ? error.name : 'Error',
          cause: error instanceof Error ? error.message : String(error),
          input: JSON.parse(execution.input) as ExecutionInput,
        }),
      )
      .then((report) => {
        this.stepFunctions.finish(execution.executionArn, {
          status: report.status,
          ...(report.error === undefined ? {} : { error: report.error }),
          ...(report.cause === undefined ? {} : { cause: report.cause }),
        });
        return report;
      });
    this.running.set(execution.name, run);
    this.notify();
  }
}

function hasStepFunctions(sandbox: Sandbox): boolean {
  try {
    sandbox.account.model('SFN');
    return true;
  } catch {
    return false;
  }
}

function silentLogger(serviceName: string): Logger {
  return new Logger({ serviceName, logLevel: 'SILENT' });
}

/** No one answers approvals: the step fails by name, and the playbook reports it. */
const unanswered: ApprovalResponder = async ({ executionName }) => {
  throw new ApprovalUnansweredError(
    `${executionName} asks for approval and this local deployment was given no way to answer it`,
  );
};
