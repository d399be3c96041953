/**
 * The GuardDuty poller function: every few minutes (an EventBridge Scheduler schedule), list the findings
 * updated since the cursor and hand them to triage as `{ source: 'cordon.poller', findings }`. The polling
 * logic lives in @cordon/core/poller; this is the adapter (GuardDuty, Lambda, DynamoDB, settings).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetFindingsCommand,
  GuardDutyClient,
  ListFindingsCommand,
  paginateListDetectors,
} from '@aws-sdk/client-guardduty';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { SettingsResult } from '@cordon/core/policy/settings';
import { DynamoDbCursorStore } from '@cordon/core/poller/dynamodb-cursor-store';
import {
  type DetectorPollResult,
  type GuardDutyPort,
  type PollerBatch,
  type PollerPorts,
  pollFindings,
} from '@cordon/core/poller/poll';
import type { Context } from 'aws-lambda';
import { TriageInvocationRejectedError } from './errors.ts';
import { createSettingsLoader } from './settings.ts';
import { readEnvironment } from './shared/environment.ts';
import { handlerShell, observability } from './shared/handler-shell.ts';

export interface PollerDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly ports: PollerPorts;
  loadSettings(): Promise<SettingsResult>;
}

/** GuardDuty through the SDK: detectors paginated, ListFindings one page per call, GetFindings by ids. */
export function guardDutyPort(client: Pick<GuardDutyClient, 'send'>): GuardDutyPort {
  return {
    listDetectorIds: async () => {
      const ids: string[] = [];
      // The paginator needs a full client; `send` is all it calls.
      for await (const page of paginateListDetectors({ client: client as GuardDutyClient }, {})) {
        ids.push(...(page.DetectorIds ?? []));
      }
      return ids;
    },
    listFindings: async ({ detectorId, criteria, sort, maxResults, nextToken }) => {
      const page = await client.send(
        new ListFindingsCommand({
          DetectorId: detectorId,
          FindingCriteria: criteria,
          SortCriteria: sort,
          MaxResults: maxResults,
          NextToken: nextToken,
        }),
      );
      return { findingIds: page.FindingIds ?? [], ...(page.NextToken ? { nextToken: page.NextToken } : {}) };
    },
    getFindings: async (detectorId, findingIds) => {
      const { Findings } = await client.send(
        new GetFindingsCommand({ DetectorId: detectorId, FindingIds: [...findingIds] }),
      );
      return Findings ?? [];
    },
  };
}

/**
 * Hands a batch to triage with an asynchronous invocation: the poller does not wait for the playbooks to start,
 * and Lambda retries the delivery (then the triage function's own on-failure handling applies). An accepted
 * asynchronous invocation answers 202 (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html);
 * anything else is `TriageInvocationRejectedError`, and the run stops before its cursor moves.
 */
export function lambdaTriageSender(
  client: Pick<LambdaClient, 'send'>,
  functionName: string,
): (batch: PollerBatch) => Promise<void> {
  return async (batch) => {
    const response = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(batch)),
      }),
    );
    if (response.StatusCode !== 202) {
      throw new TriageInvocationRejectedError(response.StatusCode);
    }
  };
}

/**
 * From the environment (`readEnvironment('poller')`): `CORDON_STAGE` (settings: the severity floor),
 * `CORDON_LEDGER_TABLE` (the cursor lives there) and `CORDON_TRIAGE_FUNCTION` (name or ARN of the triage
 * function).
 */
export function pollerDependenciesFromEnvironment(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): PollerDependencies {
  const { stage, ledgerTable, triageFunction, metricsNamespace } = readEnvironment('poller', environment);
  const { logger, metrics } = observability('cordon-poller', metricsNamespace);
  const settingsLoader = createSettingsLoader({ stage });
  return {
    logger,
    metrics,
    loadSettings: () => settingsLoader.load(),
    ports: {
      guardDuty: guardDutyPort(new GuardDutyClient({})),
      cursors: new DynamoDbCursorStore({
        client: new DynamoDBClient({}),
        tableName: ledgerTable,
      }),
      sendToTriage: lambdaTriageSender(new LambdaClient({}), triageFunction),
      now: () => new Date(),
    },
  };
}

export function createPollerHandler(
  dependencies: PollerDependencies | (() => PollerDependencies) = pollerDependenciesFromEnvironment,
) {
  const deps = typeof dependencies === 'function' ? dependencies() : dependencies;
  const { logger, metrics } = deps;

  const handle = async (_event: unknown, _context: Context): Promise<{ detectors: DetectorPollResult[] }> => {
    // Failed-closed settings still carry a usable floor (the defaults); triage applies the mode.
    const settings = await deps.loadSettings();
    if (!settings.ok)
      logger.warn('Settings are invalid or missing: polling with the default severity floor', {
        reason: settings.reason,
      });
    const detectors = await pollFindings({ minSeverity: settings.settings.severity.ignoreBelow }, deps.ports);
    for (const detector of detectors) {
      metrics.addMetric('Poller.findingsSent', MetricUnit.Count, detector.sent);
      logger.info('Detector polled', { ...detector });
    }
    return { detectors };
  };

  return handlerShell(handle, { logger, metrics });
}
