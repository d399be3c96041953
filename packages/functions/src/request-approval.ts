/**
 * The `request-approval` Lambda: the target of the playbook's `.waitForTaskToken` Task. An adapter around
 * core's `requestApproval`: the ports are DynamoDB (the approval record), Slack (bot token or webhook) and
 * SNS. Its return value is not the Task's result (the decision is, through SendTaskSuccess/Failure).
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { ApprovalLogger } from '@cordon/core/approval/decide';
import { type ApprovalGroupStore, DynamoDbApprovalGroups } from '@cordon/core/approval/groups';
import { type ApprovalStore, DynamoDbApprovalStore } from '@cordon/core/approval/records';
import { type RequestApprovalResult, requestApproval } from '@cordon/core/approval/request-approval';
import type { ApprovalSecrets } from '@cordon/core/approval/secrets';
import type { SettingsResult } from '@cordon/core/policy/settings';
import { slackClient } from '@cordon/core/slack/client';
import type { Context } from 'aws-lambda';
import { ssmApprovalSecrets } from './approval-secrets.ts';
import { createSettingsLoader } from './settings.ts';
import { readEnvironment } from './shared/environment.ts';
import { handlerShell, type LambdaHandler } from './shared/handler-shell.ts';

/** The request is not interactive (nobody waits on a click): Slack gets as long as notify gives it. */
const SLACK_TIMEOUT_MS = 5_000;

export interface RequestApprovalDependencies {
  readonly logger: Logger;
  loadSettings(): Promise<SettingsResult>;
  readonly store: ApprovalStore;
  /** Approval groups, in the same table (absent: every request is asked alone). */
  readonly groups?: ApprovalGroupStore;
  secrets(): Promise<ApprovalSecrets>;
  /** Where the approval API answers (the Function URL). */
  readonly linkBaseUrl: string;
  readonly sns?: Pick<SNSClient, 'send'>;
  readonly topicArn?: string;
  readonly fetch?: typeof fetch;
  now(): Date;
  /** Waits while a group's message is posted or its update is due (tests pass a fake). */
  sleep?(milliseconds: number): Promise<void>;
}

/** What the function returns (for logs and tests): never the task token. */
export type RequestApprovalOutput = Omit<RequestApprovalResult, 'slackMessage'>;

/**
 * From the environment (`readEnvironment('request-approval')`): `CORDON_STAGE`, `CORDON_APPROVALS_TABLE`,
 * `CORDON_APPROVAL_URL` (the approval API's Function URL) and optionally `CORDON_SNS_TOPIC_ARN`.
 */
export function requestApprovalDependenciesFromEnvironment(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): RequestApprovalDependencies {
  const {
    stage,
    approvalsTable: table,
    approvalUrl: linkBaseUrl,
    topicArn,
  } = readEnvironment('request-approval', environment);
  // No metrics: what an approval request did is in its log line and in the approvals table.
  const logger = new Logger({ serviceName: 'cordon-request-approval' });
  const settings = createSettingsLoader({ stage });
  // One client (one connection pool) for the records and the groups: they share the table.
  const dynamodb = new DynamoDBClient({});
  return {
    logger,
    loadSettings: () => settings.load(),
    store: new DynamoDbApprovalStore({
      client: dynamodb,
      tableName: table,
    }),
    groups: new DynamoDbApprovalGroups({ client: dynamodb, tableName: table }),
    secrets: ssmApprovalSecrets(stage),
    linkBaseUrl,
    ...(topicArn === undefined ? {} : { topicArn, sns: new SNSClient({}) }),
    now: () => new Date(),
  };
}

function approvalLogger(logger: Logger): ApprovalLogger {
  return {
    info: (message, extra = {}) => logger.info(message, extra),
    warn: (message, extra = {}) => logger.warn(message, extra),
    error: (message, extra = {}) => logger.error(message, extra),
  };
}

export type RequestApprovalHandler = LambdaHandler<unknown, RequestApprovalOutput>;

/**
 * Makes the handler. Settings that fail to load still allow the request (asking changes nothing): the
 * defaults then apply, the approvers list is empty and nobody can approve, so the playbook times out to
 * its default — loudly, since the failure is logged as an error.
 *
 * @example export const handler = createRequestApprovalHandler();
 */
export function createRequestApprovalHandler(
  dependencies:
    | RequestApprovalDependencies
    | (() => RequestApprovalDependencies) = requestApprovalDependenciesFromEnvironment,
): RequestApprovalHandler {
  const deps = typeof dependencies === 'function' ? dependencies() : dependencies;
  const { logger } = deps;

  const handle = async (event: unknown, _context: Context): Promise<RequestApprovalOutput> => {
    const settings = await deps.loadSettings();
    if (!settings.ok) {
      logger.error('Settings are invalid or missing: asking with the defaults', { reason: settings.reason });
    }
    const secrets = await deps.secrets();
    const slackConfigured = secrets.slackBotToken !== undefined || secrets.slackWebhookUrl !== undefined;
    const slack = slackClient({
      timeoutMs: SLACK_TIMEOUT_MS,
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      ...(secrets.slackBotToken === undefined ? {} : { botToken: secrets.slackBotToken }),
      ...(secrets.slackWebhookUrl === undefined ? {} : { webhookUrl: secrets.slackWebhookUrl }),
    });
    const { sns, topicArn } = deps;
    const result = await requestApproval(event, {
      store: deps.store,
      ...(deps.groups === undefined ? {} : { groups: deps.groups }),
      ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
      approval: settings.settings.approval,
      linkBaseUrl: deps.linkBaseUrl,
      linkSigningKey: secrets.linkSigningKey,
      now: deps.now,
      ...(slackConfigured ? { postSlack: (message) => slack.post(message) } : {}),
      // chat.update needs the bot token: a webhook's message cannot be edited.
      ...(secrets.slackBotToken === undefined
        ? {}
        : { updateSlack: (ref, message) => slack.replace({ ref }, message) }),
      ...(sns === undefined || topicArn === undefined
        ? {}
        : {
            publish: async (subject, message, attributes = {}) => {
              await sns.send(
                new PublishCommand({
                  TopicArn: topicArn,
                  Subject: subject,
                  Message: message,
                  MessageAttributes: Object.fromEntries(
                    Object.entries(attributes).map(([name, value]) => [
                      name,
                      { DataType: 'String', StringValue: value },
                    ]),
                  ),
                  // A FIFO topic needs a group and a deduplication id; the message holds the approval's unique link.
                  ...(topicArn.endsWith('.fifo')
                    ? {
                        MessageGroupId: attributes.incidentId ?? 'cordon',
                        MessageDeduplicationId: createHash('sha256').update(message).digest('hex'),
                      }
                    : {}),
                }),
              );
            },
          }),
      logger: approvalLogger(logger),
    });
    const { slackMessage: _message, ...output } = result;
    return output;
  };

  return handlerShell(handle, { logger });
}
