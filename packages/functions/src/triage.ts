import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { observeInstance } from '@cordon/core/actions/observe-instance';
import { intake } from '@cordon/core/intake/intake';
import { DynamoDbLedger } from '@cordon/core/ledger/dynamodb-ledger';
import type { PlaybookId } from '@cordon/core/playbooks/ids';
import { DynamoDbBlastRadius } from '@cordon/core/triage/blast-radius';
import {
  type ObserveInstance,
  type StartExecution,
  type TriagePorts,
  type TriageResult,
  triageIncident,
} from '@cordon/core/triage/triage';
import type { Context } from 'aws-lambda';
import { createSettingsLoader } from './settings.ts';
import { accountClientsByHome, accountOf, observerRoleArn } from './shared/account-clients.ts';
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

/** `observeInstance` on the clients of the incident's account. */
export function observerFor(
  clientsOf: (account: string) => Parameters<typeof observeInstance>[0],
): ObserveInstance {
  return ({ account, instanceId }) => observeInstance(clientsOf(account), instanceId, new Date());
}

export interface TriageDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** `homeAccount`: the account the function runs in (its own role reads there; elsewhere the observer role). */
  ports(homeAccount: string): Promise<TriagePorts>;
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
  const dynamodb = new DynamoDBClient({});
  const sfn = new SFNClient({});
  const settingsLoader = createSettingsLoader({ stage });
  // Read-only clients in the incident's account: the observer role there, the function's own role at home.
  const observerClients = accountClientsByHome({
    region,
    constructors: { ec2: EC2Client, autoScaling: AutoScalingClient },
    roleArn: observerRoleArn,
    sessionName: 'cordon-observer',
  });
  return {
    logger,
    metrics,
    ports: async (homeAccount) => {
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
        observeInstance: observerFor((account) => observerClients(account, settings.settings, homeAccount)),
        warn: (message, extra) => logger.warn(message, extra),
        now: () => new Date(),
      };
    },
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

  const handle = async (event: unknown, context: Context): Promise<{ results: TriageResult[] }> => {
    const ports = await deps.ports(accountOf(context.invokedFunctionArn ?? ''));
    const inputs = isPollerBatch(event) ? event.findings : [event];
    const results: TriageResult[] = [];
    for (const input of inputs) {
      const received = intake(input);
      const result: TriageResult = received.accepted
        ? await triageIncident(received.incident, ports)
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

  return handlerShell(handle, { logger, metrics });
}
