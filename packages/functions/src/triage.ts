import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Incident } from '@cordon/core/intake/incident';
import { intake } from '@cordon/core/intake/intake';
import { DynamoDbLedger } from '@cordon/core/ledger/dynamodb-ledger';
import type { PlaybookId } from '@cordon/core/playbooks/ids';
import { DynamoDbBlastRadius } from '@cordon/core/triage/blast-radius';
import {
  type StartExecution,
  type TriagePorts,
  type TriageResult,
  triageIncident,
} from '@cordon/core/triage/triage';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createSettingsLoader } from './settings.ts';

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

export interface TriageDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  ports(): Promise<TriagePorts>;
  /** Wraps per-incident processing with Powertools idempotency (keyed by incident id). */
  idempotent?<F extends (incident: Incident) => Promise<TriageResult>>(fn: F): F;
}

/**
 * From the environment: `CORDON_STAGE`, `CORDON_LEDGER_TABLE`, `CORDON_IDEMPOTENCY_TABLE` and
 * `CORDON_STATE_MACHINES` (JSON: playbook id → state machine ARN).
 */
export function triageDependenciesFromEnvironment(): TriageDependencies {
  const stage = getStringFromEnv({ key: 'CORDON_STAGE' });
  const ledgerTable = getStringFromEnv({ key: 'CORDON_LEDGER_TABLE' });
  const idempotencyTable = getStringFromEnv({ key: 'CORDON_IDEMPOTENCY_TABLE' });
  const stateMachines = JSON.parse(getStringFromEnv({ key: 'CORDON_STATE_MACHINES' })) as Partial<
    Record<PlaybookId, string>
  >;
  const logger = new Logger({ serviceName: 'cordon-triage' });
  const metrics = new Metrics({ namespace: 'Cordon', serviceName: 'cordon-triage' });
  const dynamodb = new DynamoDBClient({});
  const sfn = new SFNClient({});
  const settingsLoader = createSettingsLoader({ stage });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: idempotencyTable,
    awsSdkV3Client: dynamodb,
  });
  // One incident, one triage, for an hour: covers EventBridge retries and GuardDuty's re-publications.
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: 3600 });
  return {
    logger,
    metrics,
    ports: async () => {
      const settings = await settingsLoader.load();
      const ledger = new DynamoDbLedger({
        client: dynamodb,
        tableName: ledgerTable,
        retentionDays: settings.settings.ledgerRetentionDays,
      });
      return {
        settings,
        ledger,
        // Execution names are unique per state machine only: the claim makes one playbook per incident.
        claimExecution: (incidentId, playbook) => ledger.claimExecution(incidentId, playbook),
        blastRadius: new DynamoDbBlastRadius(dynamodb, ledgerTable),
        startExecution: stepFunctionsStarter(sfn, stateMachines),
        now: () => new Date(),
      };
    },
    // makeIdempotent keeps the signature but types it as (...Parameters) => ReturnType.
    idempotent: (fn) => makeIdempotent(fn, { persistenceStore, config }) as unknown as typeof fn,
  };
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

  const handle = async (event: unknown, _context: Context): Promise<{ results: TriageResult[] }> => {
    const ports = await deps.ports();
    // The result is stored by the idempotency layer: keep it plain JSON (no undefined fields, no classes).
    const process = async (incident: Incident): Promise<TriageResult> =>
      JSON.parse(JSON.stringify(await triageIncident(incident, ports))) as TriageResult;
    const processOnce = deps.idempotent ? deps.idempotent(process) : process;
    const inputs = isPollerBatch(event) ? event.findings : [event];
    const results: TriageResult[] = [];
    for (const input of inputs) {
      const received = intake(input);
      const result: TriageResult = received.accepted
        ? await processOnce(received.incident)
        : { outcome: 'rejected', recognised: received.recognised, reason: received.reason };
      metrics.addMetric(`Triage.${result.outcome}`, MetricUnit.Count, 1);
      if (result.outcome === 'rejected')
        logger.warn('Event rejected', { recognised: result.recognised, reason: result.reason });
      else
        logger.info(`Incident ${result.outcome}`, {
          incidentId: result.incident.id,
          decision: result.decision,
        });
      results.push(result);
    }
    return { results };
  };

  const handler = middy(handle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
  return handler;
}
