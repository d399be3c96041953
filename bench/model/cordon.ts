/**
 * Cordon as deployed, in the scale model: the deployed functions' own handlers (triage's
 * `createTriageHandler(triageDependencies(…))`, each action's `createActionHandler`, request-approval's
 * `createRequestApprovalHandler`), each built once per execution environment with what the deployed
 * function builds from its environment — the Powertools settings loader over SSM, the DynamoDB ledger,
 * claims and blast radius, `accountClientsByHome` with the member-account roles and their AssumeRole,
 * notify's Slack webhook read from SSM — on SDK clients the model answers. The EventBridge rules are
 * core's `deployedRules`; an event goes through them to triage as an asynchronous invocation.
 *
 * What is built here mirrors `dependenciesFromEnvironment` (packages/functions/src/shared/action-handler.ts)
 * and `requestApprovalDependenciesFromEnvironment`, as the local deployment does, with two differences the
 * model needs: each environment gets its own Parameters provider (the deployed code's module-level provider
 * is per environment in Lambda, but would be shared by every environment of this one process), and loggers
 * are silent.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ACTION_IDS, ACTIONS, type ActionId } from '../../packages/core/src/actions/catalog.ts';
import { DynamoDbApprovalStore } from '../../packages/core/src/approval/records.ts';
import { approvalSecretParameters } from '../../packages/core/src/approval/secrets.ts';
import { rootCauseName } from '../../packages/core/src/errors.ts';
import { deployedRules, type EventRule, matchingRules } from '../../packages/core/src/events/rules.ts';
import { DynamoDbLedger } from '../../packages/core/src/ledger/dynamodb-ledger.ts';
import { PLAYBOOK_IDS, type PlaybookId } from '../../packages/core/src/playbooks/ids.ts';
import { settingsPath } from '../../packages/core/src/policy/settings.ts';
import { createRequestApprovalHandler } from '../../packages/functions/src/request-approval.ts';
import { createSettingsLoader } from '../../packages/functions/src/settings.ts';
import {
  accountClientsByHome,
  actionRoleArn,
  observerRoleArn,
} from '../../packages/functions/src/shared/account-clients.ts';
import { createActionHandler } from '../../packages/functions/src/shared/action-handler.ts';
import { createTriageHandler, triageDependencies } from '../../packages/functions/src/triage.ts';
import { settingsParameterValues } from '../../packages/local/src/deployment-settings.ts';
import { AwsWorld, MODEL_CREDENTIALS, type Where } from './aws-world.ts';
import { type AsyncOutcome, type FunctionModel, type LambdaHandler, LambdaService } from './lambda.ts';
import type { Latencies } from './latency.ts';
import { OnCall, type OnCallOptions } from './on-call.ts';
import type { QuotaBook } from './quota-book.ts';
import { sampleLatency, seededRandom } from './random.ts';
import { MODEL_WEBHOOK_URL, SlackModel } from './slack.ts';
import { StepFunctionsService } from './step-functions.ts';
import type { VirtualTime } from './virtual-time.ts';

/** Cordon's functions the model runs, by the ids infra gives them. */
export const MODEL_FUNCTION_IDS = ['triage', 'request-approval', ...ACTION_IDS] as const;
export type ModelFunctionId = (typeof MODEL_FUNCTION_IDS)[number];

/** What a function costs in CPU, measured on one core (section 5 measures it; these are the defaults). */
export interface FunctionCost {
  readonly initCpuMs: number;
  readonly invokeCpuMs: number;
}

export interface CordonModelOptions {
  readonly time: VirtualTime;
  readonly seed: number;
  readonly home: Where;
  readonly stage?: string;
  readonly latencies: Latencies;
  /** Any subset of the settings, written to SSM as the team would (the rest keep their defaults). */
  readonly settings?: Record<string, unknown>;
  /** Slack set up: approval requests by `chat.postMessage`, notifications by the incoming webhook. */
  readonly slack?: boolean;
  readonly memoryMb: (id: ModelFunctionId) => number;
  readonly cost: (id: ModelFunctionId) => FunctionCost;
  readonly onCall?: OnCallOptions;
  readonly faults?: { readonly probability: number; readonly error: string };
  /** No quota throttles, no concurrency limit (the validation against today's bench). */
  readonly unlimited?: boolean;
  readonly quotaOverrides?: ConstructorParameters<typeof AwsWorld>[0]['quotaOverrides'];
  readonly concurrency?: number;
}

/** What became of one event put on the bus. */
export type DeliveryOutcome =
  | { readonly outcome: 'dropped' }
  | ({ readonly outcome: 'delivered' | 'failed'; readonly deliveredAt: number } & AsyncOutcome);

const APPROVAL_CHANNEL = 'C0SECURITY';
const APPROVAL_URL = 'https://approvals.cordon.example';

function silent(serviceName: string): Logger {
  return new Logger({ serviceName, logLevel: 'SILENT' });
}

/**
 * The deployment and the AWS around it, on a virtual clock that the caller has installed.
 *
 * @example
 * const cordon = await CordonModel.create({ time, seed: 1, home, latencies: latencies(), memoryMb: () => 512, cost: () => ({ initCpuMs: 150, invokeCpuMs: 3 }) });
 * await cordon.deliver(event);
 * await cordon.settle();
 */
export class CordonModel {
  public readonly world: AwsWorld;
  public readonly lambda: LambdaService;
  public readonly sfn: StepFunctionsService;
  public readonly slack: SlackModel;
  public readonly onCall: OnCall;
  public readonly stage: string;
  public readonly rules: readonly EventRule[];
  private readonly random: () => number;
  private readonly pending = new Set<Promise<unknown>>();

  private constructor(private readonly options: CordonModelOptions) {
    const { time, home } = options;
    this.stage = options.stage ?? 'prod';
    this.random = seededRandom(options.seed ^ 0x5bd1e995);
    const names = {
      ledgerTable: `cordon-${this.stage}-ledger`,
      approvalsTable: `cordon-${this.stage}-approvals`,
    };
    this.world = new AwsWorld({
      time,
      random: seededRandom(options.seed ^ 0x27d4eb2f),
      home,
      latencies: options.latencies,
      ...names,
      ...(options.quotaOverrides === undefined ? {} : { quotaOverrides: options.quotaOverrides }),
      ...(options.faults === undefined ? {} : { faults: options.faults }),
      ...(options.unlimited === undefined ? {} : { unlimited: options.unlimited }),
    });
    this.lambda = new LambdaService(
      time,
      this.world.quotas,
      options.latencies,
      seededRandom(options.seed ^ 0x165667b1),
      {
        functionArn: (id) => this.functionArn(id),
        ...(options.unlimited === true
          ? { concurrency: Number.POSITIVE_INFINITY }
          : options.concurrency === undefined
            ? {}
            : { concurrency: options.concurrency }),
      },
    );
    this.slack = new SlackModel(
      time,
      this.world.quotas,
      options.latencies,
      seededRandom(options.seed ^ 0x3c6ef372),
    );
    this.onCall = new OnCall(
      time,
      options.onCall ?? { responders: 0, secondsPerDecision: 60, answer: 'approve' },
    );
    this.sfn = new StepFunctionsService(
      this.world,
      this.lambda,
      time,
      options.latencies,
      seededRandom(options.seed ^ 0x1b873593),
      {
        stateMachineArn: (playbook) => this.stateMachineArn(playbook),
        functionArn: (id) => this.functionArn(id),
        onApprovalRequested: this.onCall.request,
      },
      PLAYBOOK_IDS,
    );
    this.onCall.connect(this.sfn);
    this.rules = deployedRules();
    for (const id of MODEL_FUNCTION_IDS) this.lambda.register(this.functionModel(id, names));
  }

  /** Builds the deployment and writes its settings and secrets to the home account's SSM. */
  public static async create(options: CordonModelOptions): Promise<CordonModel> {
    const model = new CordonModel(options);
    model.writeParameters(options.settings ?? {});
    return model;
  }

  public get quotas(): QuotaBook {
    return this.world.quotas;
  }

  public functionArn(id: string): string {
    const { account, region } = this.options.home;
    return `arn:aws:lambda:${region}:${account}:function:cordon-${this.stage}-${id}`;
  }

  public stateMachineArn(playbook: PlaybookId): string {
    const { account, region } = this.options.home;
    return `arn:aws:states:${region}:${account}:stateMachine:cordon-${this.stage}-${playbook}`;
  }

  /**
   * Puts an event on the bus of its Region (forwarded to the home Region's bus when it came from another, one
   * more hop); each deployed rule it matches invokes triage asynchronously. Resolves when triage is done
   * with it (or Lambda gave up).
   */
  public deliver(event: unknown): Promise<DeliveryOutcome> {
    const delivery = this.route(event);
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
    return delivery;
  }

  /** Waits for every delivery and every execution (and the executions they start). */
  public async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await this.sfn.settle();
  }

  private async route(event: unknown): Promise<DeliveryOutcome> {
    const rules = matchingRules(this.rules, event);
    if (rules.length === 0) return { outcome: 'dropped' };
    const region = (event as { region?: unknown }).region;
    const hops = region === this.options.home.region ? 1 : 2;
    for (let hop = 0; hop < hops; hop += 1) {
      await this.options.time.sleep(sampleLatency(this.options.latencies.eventBridgeToTarget, this.random));
    }
    const deliveredAt = this.options.time.now;
    let last: AsyncOutcome | undefined;
    // EventBridge sends the event to the target of every rule it matches.
    for (const _rule of rules) last = await this.lambda.invokeAsync('triage', structuredClone(event));
    const outcome = last as AsyncOutcome;
    return { outcome: outcome.error === undefined ? 'delivered' : 'failed', deliveredAt, ...outcome };
  }

  private writeParameters(settings: Record<string, unknown>): void {
    const ssm = this.world.homeSandbox.account.model('SSM').commands;
    const context = this.world.homeSandbox.account.context;
    const path = settingsPath(this.stage);
    const withChannel =
      this.options.slack === true
        ? {
            ...settings,
            approval: { slackChannel: APPROVAL_CHANNEL, ...((settings.approval as object) ?? {}) },
          }
        : settings;
    for (const [name, value] of Object.entries(settingsParameterValues(withChannel))) {
      ssm.PutParameter?.({ Name: `${path}${name}`, Value: value, Type: 'String', Overwrite: true }, context);
    }
    const secrets = approvalSecretParameters(this.stage);
    const values: Record<string, string> = { [secrets['link-signing-key']]: 'k'.repeat(48) };
    if (this.options.slack === true) {
      values[secrets['slack-signing-secret']] = 'slack-signing-secret-model';
      values[secrets['slack-bot-token']] = 'xoxb-model';
      values[secrets['slack-webhook-url']] = MODEL_WEBHOOK_URL;
    }
    for (const [name, value] of Object.entries(values)) {
      ssm.PutParameter?.({ Name: name, Value: value, Type: 'SecureString', Overwrite: true }, context);
    }
  }

  private functionModel(
    id: ModelFunctionId,
    names: { ledgerTable: string; approvalsTable: string },
  ): FunctionModel {
    const cost = this.options.cost(id);
    return {
      id,
      memoryMb: this.options.memoryMb(id),
      initCpuMs: cost.initCpuMs,
      invokeCpuMs: cost.invokeCpuMs,
      create: () => this.handlerOf(id, names),
    };
  }

  /** One execution environment's handler, built as the deployed function's module scope builds it. */
  private handlerOf(
    id: ModelFunctionId,
    names: { ledgerTable: string; approvalsTable: string },
  ): LambdaHandler {
    const { home } = this.options;
    const world = this.world;
    const client = <C>(
      Client: new (config: { region: string; credentials: typeof MODEL_CREDENTIALS }) => C,
    ) => world.attach(new Client({ region: home.region, credentials: MODEL_CREDENTIALS }), home);
    const settingsLoader = createSettingsLoader({ stage: this.stage, ssmClient: client(SSMClient) });
    const topicArn = `arn:aws:sns:${home.region}:${home.account}:cordon-${this.stage}-notifications`;
    const metrics = new Metrics({ namespace: 'Cordon', serviceName: `cordon-${id}` });
    if (id === 'triage') {
      const handler = createTriageHandler(
        triageDependencies({
          logger: silent('cordon-triage'),
          stage: this.stage,
          metrics,
          ledgerTable: names.ledgerTable,
          dynamodb: client(DynamoDBClient),
          sfn: client(SFNClient),
          stateMachines: Object.fromEntries(
            PLAYBOOK_IDS.map((playbook) => [playbook, this.stateMachineArn(playbook)]),
          ),
          settingsLoader,
          observerClients: accountClientsByHome({
            region: home.region,
            constructors: world.constructors(),
            roleArn: observerRoleArn,
            sessionName: 'cordon-observer',
            assumeRole: world.assumeRole('cordon-observer'),
          }),
        }),
      );
      return handler as unknown as LambdaHandler;
    }
    // A Parameters provider per environment: the deployed module-level one lives once per environment too.
    const parameters = new SSMProvider({ awsSdkV3Client: client(SSMClient) });
    const secret = async (name: string): Promise<string | undefined> => {
      try {
        const value = await parameters.get(name, { decrypt: true, maxAge: 300 });
        return value === undefined || value === '' ? undefined : value;
      } catch (error) {
        if (rootCauseName(error) === 'ParameterNotFound') return undefined;
        throw error;
      }
    };
    if (id === 'request-approval') {
      const secrets = approvalSecretParameters(this.stage);
      const handler = createRequestApprovalHandler({
        logger: silent('cordon-request-approval'),
        loadSettings: () => settingsLoader.load(),
        store: new DynamoDbApprovalStore({ client: client(DynamoDBClient), tableName: names.approvalsTable }),
        // As ssmApprovalSecrets: the four secrets, read decrypted and cached five minutes.
        secrets: async () => {
          const [linkSigningKey, slackSigningSecret, slackBotToken, slackWebhookUrl] = await Promise.all([
            secret(secrets['link-signing-key']),
            secret(secrets['slack-signing-secret']),
            secret(secrets['slack-bot-token']),
            secret(secrets['slack-webhook-url']),
          ]);
          return {
            linkSigningKey: linkSigningKey ?? '',
            ...(slackSigningSecret === undefined ? {} : { slackSigningSecret }),
            ...(slackBotToken === undefined ? {} : { slackBotToken }),
            ...(slackWebhookUrl === undefined ? {} : { slackWebhookUrl }),
          };
        },
        linkBaseUrl: APPROVAL_URL,
        sns: client(SNSClient),
        topicArn,
        fetch: this.slack.fetch,
        now: () => new Date(),
      });
      return handler as unknown as LambdaHandler;
    }
    const action = id as ActionId;
    const dynamodb = client(DynamoDBClient);
    const webhookParameter = approvalSecretParameters(this.stage)['slack-webhook-url'];
    const handler = createActionHandler(ACTIONS[action], {
      logger: silent(`cordon-${action}`),
      metrics,
      loadSettings: () => settingsLoader.load(),
      clientsFor: accountClientsByHome({
        region: home.region,
        constructors: world.constructors(),
        roleArn: actionRoleArn(action),
        sessionName: `cordon-${action}`,
        assumeRole: world.assumeRole(`cordon-${action}`),
      }),
      ledgerFor: (settings) =>
        new DynamoDbLedger({
          client: dynamodb,
          tableName: names.ledgerTable,
          retentionDays: settings.ledgerRetentionDays,
        }),
      notifications: async () => ({
        snsTopicArn: topicArn,
        // notify alone reads the webhook (CORDON_SLACK_WEBHOOK_PARAMETER), cached five minutes.
        ...(action === 'notify' && this.options.slack === true
          ? { slackWebhookUrl: await secret(webhookParameter), fetch: this.slack.fetch }
          : {}),
      }),
      now: () => new Date(),
    });
    return handler as unknown as LambdaHandler;
  }
}
