import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { observeInstance } from '@cordon/core/actions/observe-instance';
import { DynamoDbLedger } from '@cordon/core/ledger/dynamodb-ledger';
import type { PlaybookId } from '@cordon/core/playbooks/ids';
import type { Settings } from '@cordon/core/policy/settings';
import { DynamoDbBlastRadius } from '@cordon/core/triage/blast-radius';
import {
  type ObserveInstance,
  type StartExecution,
  type TriagePorts,
  type TriageResult,
  triageBatch,
} from '@cordon/core/triage/triage';
import type { Context } from 'aws-lambda';
import { createSettingsLoader, type SettingsLoader } from './settings.ts';
import {
  type AccountTarget,
  accountClientsByHome,
  accountOf,
  observerRoleArn,
} from './shared/account-clients.ts';
import { readEnvironment } from './shared/environment.ts';
import { handlerShell, observability } from './shared/handler-shell.ts';

/** What the GuardDuty poller sends: raw findings, triaged one by one. */
export interface PollerBatch {
  readonly source: 'cordon.poller';
  readonly findings: readonly unknown[];
}

function isPollerBatch(event: unknown): event is PollerBatch {
  return (
    typeof event === 'object' &&
    event !== null &&
    (event as { source?: unknown }).source === 'cordon.poller' &&
    Array.isArray((event as { findings?: unknown }).findings)
  );
}

/**
 * Starts executions with the real Step Functions API: the name is the incident id, and
 * `ExecutionAlreadyExists` means a duplicate delivery — recorded, not an error.
 */
export function stepFunctionsStarter(
  client: Pick<SFNClient, 'send'>,
  stateMachineArns: Readonly<Partial<Record<PlaybookId, string>>>,
): StartExecution {
  return async ({ name, playbook, input }) => {
    const stateMachineArn = stateMachineArns[playbook];
    if (stateMachineArn === undefined)
      throw new Error(`No state machine is configured for playbook ${playbook}`);
    try {
      await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return 'started';
    } catch (error) {
      if ((error as { name?: string }).name === 'ExecutionAlreadyExists') return 'duplicate';
      throw error;
    }
  };
}

/** The read-only clients triage's observer reads an instance with. */
export type ObserverClients = Parameters<typeof observeInstance>[0];

/**
 * `observeInstance` on the clients of the incident's account and region: a finding forwarded from another
 * region names an instance there, which the Lambda's own region cannot see.
 */
export function observerFor(
  clientsOf: (target: AccountTarget) => ObserverClients,
  now: () => Date = () => new Date(),
): ObserveInstance {
  return ({ account, region, instanceId }) =>
    observeInstance(clientsOf({ account, region }), instanceId, now());
}

export interface TriageDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** `homeAccount`: the account the function runs in (its own role reads there; elsewhere the observer role). */
  ports(homeAccount: string): Promise<TriagePorts>;
}

/** What triage is built on: its clients, tables and settings, wherever they come from (AWS or a sandbox). */
export interface TriageWiring {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The stage (`CORDON_STAGE`): with the home account, it names Cordon's own roles (decide). */
  readonly stage: string;
  /** The ledger table: entries, claims and the blast-radius counts. */
  readonly ledgerTable: string;
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly sfn: Pick<SFNClient, 'send'>;
  /** Playbook id → state machine ARN. */
  readonly stateMachines: Readonly<Partial<Record<PlaybookId, string>>>;
  readonly settingsLoader: SettingsLoader;
  /**
   * Read-only clients in the incident's account and region (`accountClientsByHome` with the observer role):
   * the function's own role at home, the observer role in a member account.
   */
  readonly observerClients: (
    target: AccountTarget,
    settings: Settings,
    homeAccount: string,
  ) => ObserverClients;
  /** The clock of the decision, the ledger entries, the blast-radius hour and the observation (default: the wall clock). */
  readonly now?: () => Date;
}

/**
 * Triage's dependencies from its wiring: the DynamoDB ledger, its claims and blast radius, Step Functions,
 * the observer and the settings, all on the clients given. The deployed function gives it real clients
 * ({@link triageDependenciesFromEnvironment}); the local deployment (packages/local) gives it sandbox clients.
 *
 * @example
 * const deps = triageDependencies({ logger, metrics, ledgerTable, dynamodb, sfn, stateMachines, settingsLoader, observerClients });
 * export const handler = createTriageHandler(deps);
 */
export function triageDependencies(wiring: TriageWiring): TriageDependencies {
  const { logger, metrics, dynamodb, ledgerTable } = wiring;
  const now = wiring.now ?? (() => new Date());
  const startExecution = stepFunctionsStarter(wiring.sfn, wiring.stateMachines);
  const blastRadius = new DynamoDbBlastRadius(dynamodb, ledgerTable);
  return {
    logger,
    metrics,
    ports: async (homeAccount) => {
      const settings = await wiring.settingsLoader.load();
      const ledger = new DynamoDbLedger({
        client: dynamodb,
        tableName: ledgerTable,
        retentionDays: settings.settings.ledgerRetentionDays,
      });
      return {
        settings,
        ledger,
        // The claim decides what a delivery starts (one playbook per incident and generation), not
        // StartExecution's name check alone: names are unique per state machine, and reusable after 90 days.
        claims: ledger.claims,
        identity: { stage: wiring.stage, homeAccount },
        blastRadius,
        startExecution,
        observeInstance: observerFor(
          (target) => wiring.observerClients(target, settings.settings, homeAccount),
          now,
        ),
        warn: (message, extra) => logger.warn(message, extra),
        now,
      };
    },
  };
}

/**
 * From the environment (`readEnvironment('triage')`): `CORDON_STAGE`, `CORDON_LEDGER_TABLE`,
 * `CORDON_STATE_MACHINES` (JSON: playbook id → state machine ARN) and Lambda's `AWS_REGION`.
 *
 * No Powertools idempotency layer: the incident's claim in the ledger table (one conditional write, sent
 * together with the blast-radius update and the instance reads) and StartExecution's execution name already
 * make one playbook per incident, and a second layer was one more round trip before containment
 * (docs/benchmarks.md, "Containment path").
 */
export function triageDependenciesFromEnvironment(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): TriageDependencies {
  const { stage, ledgerTable, stateMachines, metricsNamespace, region } = readEnvironment(
    'triage',
    environment,
  );
  const { logger, metrics } = observability('cordon-triage', metricsNamespace);
  return triageDependencies({
    stage,
    logger,
    metrics,
    ledgerTable,
    dynamodb: new DynamoDBClient({}),
    sfn: new SFNClient({}),
    stateMachines,
    settingsLoader: createSettingsLoader({ stage }),
    // Read-only clients in the incident's account and region: the observer role there, the function's own role at home.
    observerClients: accountClientsByHome({
      region,
      constructors: { ec2: EC2Client, autoScaling: AutoScalingClient },
      roleArn: observerRoleArn,
      sessionName: 'cordon-observer',
    }),
  });
}

/**
 * The EventBridge target (and the poller's): parse → triage each incident → map the results. Rejected
 * events are logged and counted, not thrown: a retry could not make them valid.
 */
export function createTriageHandler(
  dependencies: TriageDependencies | (() => TriageDependencies) = triageDependenciesFromEnvironment,
) {
  const deps = typeof dependencies === 'function' ? dependencies() : dependencies;
  const { logger, metrics } = deps;

  const handle = async (event: unknown, context: Context): Promise<{ results: TriageResult[] }> => {
    const ports = await deps.ports(accountOf(context.invokedFunctionArn ?? ''));
    // One event from EventBridge, or the poller's batch of raw findings: core triages each on its own.
    const results = await triageBatch(isPollerBatch(event) ? event.findings : [event], ports);
    for (const result of results) {
      metrics.addMetric(`Triage.${result.outcome}`, MetricUnit.Count, 1);
      if (result.outcome === 'rejected')
        logger.warn('Event rejected', { recognised: result.recognised, reason: result.reason });
      else
        logger.info(`Incident ${result.outcome}`, {
          incidentId: result.incident.id,
          decision: result.decision,
        });
    }
    return { results };
  };

  return handlerShell(handle, { logger, metrics });
}
