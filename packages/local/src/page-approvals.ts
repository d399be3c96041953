import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { TaskCallbacks } from '@cordon/core/approval/decide';
import { DynamoDbApprovalGroups } from '@cordon/core/approval/groups';
import { DynamoDbApprovalStore } from '@cordon/core/approval/records';
import { requestApproval } from '@cordon/core/approval/request-approval';
import type { JsonValue } from '@cordon/core/playbooks/asl';
import type { Settings } from '@cordon/core/policy/settings';
import type { SlackMessage } from '@cordon/core/slack/blocks';
import { startApprovalServer } from './approval-server.ts';
import { sandboxClient } from './clients.ts';
import type { ApprovalResponder } from './engine.ts';
import { ApprovalRejectedError } from './errors.ts';
import type { Sandbox } from './sandbox/index.ts';
import { SANDBOX_RESOURCES, sandboxTopicArn } from './seed.ts';

/** What the person at the terminal is shown for each approval. */
export interface ApprovalPrompt {
  readonly incidentId: string;
  readonly link: string;
  readonly expiresAt: string;
  readonly actions: readonly string[];
  /** The Slack message that would be posted (the local run posts nowhere). */
  readonly slackMessage: SlackMessage;
}

export interface PageApprovals {
  readonly responder: ApprovalResponder;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

export interface PageApprovalsOptions {
  readonly sandbox: Sandbox;
  readonly settings: Settings;
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port?: number;
  onPrompt(prompt: ApprovalPrompt): void;
}

/**
 * Approvals answered by a person on the approval page, as in AWS: each `request-approval` Task stores its
 * record (in the sandbox's approvals table) in the approval group of its kind, publishes to the SNS topic,
 * shows the group page's link and the Slack message that would be posted, and waits. The page's decision settles the task token: approve continues the
 * playbook, reject ends it without a change (SendTaskFailure with `ApprovalRejected`).
 *
 * @example
 * const approvals = await startPageApprovals({ sandbox, settings, onPrompt: ({ link }) => console.log(link) });
 * const engine = new LocalEngine({ sandbox, settings: result, approvals: approvals.responder });
 */
export async function startPageApprovals(options: PageApprovalsOptions): Promise<PageApprovals> {
  const { sandbox, settings } = options;
  const dynamodb = sandboxClient(sandbox, DynamoDBClient);
  const store = new DynamoDbApprovalStore({ client: dynamodb, tableName: SANDBOX_RESOURCES.approvalsTable });
  // As deployed, a request joins the approval group of its kind: the link is the group's page.
  const groups = new DynamoDbApprovalGroups({
    client: dynamodb,
    tableName: SANDBOX_RESOURCES.approvalsTable,
  });
  const sns = sandboxClient(sandbox, SNSClient);
  const topicArn = sandboxTopicArn(sandbox);
  const pending = new Map<string, { resolve(output: JsonValue): void; reject(error: Error): void }>();
  const callbacks: TaskCallbacks = {
    async sendTaskSuccess(token, output) {
      pending.get(token)?.resolve(JSON.parse(JSON.stringify(output)) as JsonValue);
      pending.delete(token);
    },
    async sendTaskFailure(token, _error, cause) {
      pending.get(token)?.reject(new ApprovalRejectedError(cause));
      pending.delete(token);
    },
  };
  // A fresh signing key per run: links of an earlier run cannot decide anything in this one.
  const linkSigningKey = randomBytes(32).toString('hex');
  const server = await startApprovalServer({
    port: options.port ?? 0,
    store,
    groups,
    callbacks,
    linkSigningKey,
  });

  const responder: ApprovalResponder = async ({ taskToken, payload }) => {
    const decided = new Promise<JsonValue>((resolve, reject) => pending.set(taskToken, { resolve, reject }));
    const request = await requestApproval(payload, {
      store,
      groups,
      approval: settings.approval,
      linkBaseUrl: server.url,
      linkSigningKey,
      now: () => new Date(),
      postSlack: async () => undefined,
      publish: async (subject, message) => {
        await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
      },
    });
    options.onPrompt({
      incidentId: String(payload.incidentId ?? ''),
      link: request.link,
      expiresAt: request.expiresAt,
      actions: Array.isArray(payload.actions) ? payload.actions.map(String) : [],
      slackMessage: request.slackMessage,
    });
    return decided;
  };
  return { responder, url: server.url, close: () => server.close() };
}
