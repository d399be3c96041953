/**
 * Approvals as deployed, in a local deployment: the playbook's `request-approval` Task runs the deployed
 * request-approval handler (the approval record in the stage's approvals table, the e-mail through the SNS
 * topic) and waits on its task token; `decide` answers as a person in Slack does — a signed click on the
 * approval API's `/slack/interactions`, which checks the approver, writes the decision once, and calls
 * SendTaskSuccess / SendTaskFailure on Step Functions, which resumes the waiting Task. Each call is made as
 * the function that makes it in AWS (request-approval, approval-api).
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type ApprovalApi, createApprovalApi } from '@cordon/core/approval/api';
import { configuredApprovers } from '@cordon/core/approval/decide';
import { type ApprovalRecord, DynamoDbApprovalStore } from '@cordon/core/approval/records';
import { approvalSecretParameters } from '@cordon/core/approval/secrets';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from '@cordon/core/approval/slack-messages';
import type { JsonValue } from '@cordon/core/playbooks/asl';
import { slackSignature } from '@cordon/core/slack/signature';
import { stepFunctionsCallbacks } from '@cordon/functions/approval-api';
import { ssmApprovalSecrets } from '@cordon/functions/approval-secrets';
import { createRequestApprovalHandler } from '@cordon/functions/request-approval';
import type { SettingsLoader } from '@cordon/functions/settings';
import type { Context } from 'aws-lambda';
import { sandboxClient } from './clients.ts';
import type { TaskCallback } from './deployment-step-functions.ts';
import type { ApprovalResponder } from './engine.ts';
import { ApprovalRejectedError } from './errors.ts';
import type { Sandbox } from './sandbox/index.ts';
import type { Principal } from './sandbox/types.ts';

/** Where the approval links point: nothing answers there, the local run decides through the API in process. */
export const LOCAL_APPROVAL_URL = 'https://approvals.invalid';

/**
 * The Slack member who decides in a local deployment (a Slack user id's shape). The approval API trusts it as
 * the local approval page trusts the local operator: a rehearsal has no Slack workspace. Anyone else is
 * checked against the approvers the settings list, as in AWS.
 */
export const LOCAL_RESPONDER = { id: 'U0CORDONLOCAL', name: 'local responder' } as const;

/** A Task that outlived its `TimeoutSeconds`: the error Step Functions raises, which the playbooks catch. */
export class StatesTimeoutError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'States.Timeout';
  }
}

/** An approval the playbook waits for. */
export interface PendingApproval {
  readonly approvalId: string;
  readonly executionName: string;
  readonly incidentId: string;
  /** The step the approval gates (the first change). */
  readonly step: string;
  /** When the Task times out (its `TimeoutSeconds` from the request), on the deployment's clock. */
  readonly deadline: string;
}

/** What became of one approval a person answered. */
export interface ApprovalAnswer {
  readonly approvalId: string;
  readonly executionName: string;
  /** The record's status after the click: decided, or why not (`not-approver`, `expired`…). */
  readonly outcome:
    | 'approved'
    | 'rejected'
    | 'not-approver'
    | 'expired'
    | 'already-decided'
    | 'not-delivered';
  /** The approval API's HTTP status. */
  readonly status: number;
}

export interface DeployedApprovalsOptions {
  readonly sandbox: Sandbox;
  readonly stage: string;
  readonly region: string;
  readonly approvalsTable: string;
  readonly topicArn: string;
  principal(functionId: string): Principal;
  settingsLoader(functionId: string): SettingsLoader;
  context(functionId: string): Context;
  now(): Date;
  /** An execution started or stopped waiting for a person (the deployment's `settle` counts it as settled). */
  onWaiting(executionName: string, waiting: boolean): void;
}

interface Waiting extends PendingApproval {
  resolve(output: JsonValue): void;
  reject(error: Error): void;
}

function silentLogger(serviceName: string): Logger {
  return new Logger({ serviceName, logLevel: 'SILENT' });
}

/**
 * The approval flow of a local deployment (see the file's comment). Create it with {@link DeployedApprovals.create},
 * which stores the approval secrets in the stage's SSM parameters, as the team does before deploying
 * (docs/slack-setup.md).
 *
 * @example
 * const approvals = await DeployedApprovals.create(options);
 * engine approvals: approvals.responder; later: await approvals.decide('approve');
 */
export class DeployedApprovals {
  private readonly waiting = new Map<string, Waiting>();
  private readonly requestHandler: ReturnType<typeof createRequestApprovalHandler>;
  private readonly api: ApprovalApi;
  private readonly table: string;

  public static async create(options: DeployedApprovalsOptions): Promise<DeployedApprovals> {
    const names = approvalSecretParameters(options.stage);
    // The team's own setup, not Cordon's calls: written without a principal, like the settings.
    for (const name of [names['link-signing-key'], names['slack-signing-secret']]) {
      await options.sandbox.account.dispatch('SSM', 'PutParameter', {
        Name: name,
        Value: randomBytes(32).toString('hex'),
        Type: 'SecureString',
        Overwrite: true,
      });
    }
    return new DeployedApprovals(options);
  }

  private constructor(private readonly options: DeployedApprovalsOptions) {
    const { sandbox, region, stage } = options;
    this.table = options.approvalsTable;
    const as = (functionId: string) => ({ principal: options.principal(functionId), region });
    const secretsAs = (functionId: string) =>
      ssmApprovalSecrets(
        stage,
        new SSMProvider({ awsSdkV3Client: sandboxClient(sandbox, SSMClient, as(functionId)) }),
      );
    const loader = options.settingsLoader('request-approval');
    this.requestHandler = createRequestApprovalHandler({
      logger: silentLogger('cordon-request-approval'),
      loadSettings: () => loader.load(),
      store: new DynamoDbApprovalStore({
        client: sandboxClient(sandbox, DynamoDBClient, as('request-approval')),
        tableName: this.table,
      }),
      secrets: secretsAs('request-approval'),
      linkBaseUrl: LOCAL_APPROVAL_URL,
      sns: sandboxClient(sandbox, SNSClient, as('request-approval')),
      topicArn: options.topicArn,
      now: options.now,
    });
    const configured = configuredApprovers();
    this.api = createApprovalApi({
      store: new DynamoDbApprovalStore({
        client: sandboxClient(sandbox, DynamoDBClient, as('approval-api')),
        tableName: this.table,
      }),
      callbacks: stepFunctionsCallbacks(sandboxClient(sandbox, SFNClient, as('approval-api'))),
      secrets: secretsAs('approval-api'),
      now: options.now,
      isApprover: (decidedBy, record) =>
        (decidedBy.kind === 'slack' && decidedBy.id === LOCAL_RESPONDER.id) || configured(decidedBy, record),
      isInUserGroup: async () => false,
      // No Slack workspace: the message updates and replies go nowhere.
      slack: { replace: async () => undefined, tell: async () => undefined },
    });
  }

  /** The engine's answer to a `request-approval` Task: ask as deployed, then wait for a person or the timeout. */
  public readonly responder: ApprovalResponder = async ({ executionName, taskToken, payload }) => {
    const requestedAt = this.options.now();
    const decided = new Promise<JsonValue>((resolve, reject) => {
      this.waiting.set(taskToken, {
        approvalId: '',
        executionName,
        incidentId: String(payload.incidentId ?? ''),
        step: String(payload.step ?? ''),
        deadline: new Date(requestedAt.getTime() + Number(payload.timeoutSeconds ?? 0) * 1000).toISOString(),
        resolve,
        reject,
      });
    });
    let approvalId: string;
    try {
      ({ approvalId } = await this.requestHandler(payload, this.options.context('request-approval')));
    } catch (error) {
      // Nobody was asked: the Task fails (and is retried by the playbook), nothing waits.
      this.waiting.delete(taskToken);
      throw error;
    }
    const entry = this.waiting.get(taskToken);
    if (entry !== undefined) this.waiting.set(taskToken, { ...entry, approvalId });
    this.options.onWaiting(executionName, true);
    return decided;
  };

  /** The approvals waiting for a person, oldest first. */
  public pending(): PendingApproval[] {
    return [...this.waiting.values()]
      .filter((entry) => entry.approvalId !== '')
      .map(({ approvalId, executionName, incidentId, step, deadline }) => ({
        approvalId,
        executionName,
        incidentId,
        step,
        deadline,
      }));
  }

  /**
   * Step Functions' SendTaskSuccess / SendTaskFailure for a token (the model calls it): the waiting Task
   * resumes. `false` when nothing waits on the token.
   */
  public callback(taskToken: string, callback: TaskCallback): boolean {
    const entry = this.waiting.get(taskToken);
    if (entry === undefined) return false;
    this.waiting.delete(taskToken);
    this.options.onWaiting(entry.executionName, false);
    if (callback.kind === 'success') entry.resolve(JSON.parse(callback.output) as JsonValue);
    else if (callback.error === 'ApprovalRejected') entry.reject(new ApprovalRejectedError(callback.cause));
    else entry.reject(Object.assign(new Error(callback.cause), { name: callback.error }));
    return true;
  }

  /**
   * Answers every pending approval as `by` clicks Approve or Reject in Slack: a signed request to the approval
   * API's `/slack/interactions`, which checks the approver, writes the decision once and calls Step Functions.
   */
  public async decide(
    decision: 'approve' | 'reject',
    by: { readonly id: string; readonly name?: string } = LOCAL_RESPONDER,
  ): Promise<ApprovalAnswer[]> {
    const secrets = approvalSecretParameters(this.options.stage);
    const signingSecret =
      this.options.sandbox.ssm.snapshot().parameters[secrets['slack-signing-secret']]?.value;
    const answers: ApprovalAnswer[] = [];
    for (const approval of this.pending()) {
      const body = `payload=${encodeURIComponent(
        JSON.stringify({
          type: 'block_actions',
          user: { id: by.id, ...(by.name === undefined ? {} : { username: by.name }) },
          actions: [
            {
              action_id: decision === 'approve' ? APPROVE_ACTION_ID : REJECT_ACTION_ID,
              value: approval.approvalId,
            },
          ],
        }),
      )}`;
      const timestamp = String(Math.floor(this.options.now().getTime() / 1000));
      const response = await this.api.fetch(
        new Request(`${LOCAL_APPROVAL_URL}/slack/interactions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-slack-request-timestamp': timestamp,
            'x-slack-signature': slackSignature(String(signingSecret ?? ''), timestamp, body),
          },
          body,
        }),
      );
      await this.api.settled();
      answers.push({
        approvalId: approval.approvalId,
        executionName: approval.executionName,
        outcome: this.outcomeOf(approval, by.id),
        status: response.status,
      });
    }
    return answers;
  }

  /** Times out every approval whose Task deadline has passed: the Task fails with `States.Timeout`. */
  public expire(now: Date): PendingApproval[] {
    const expired = [...this.waiting.entries()].filter(
      ([, entry]) => entry.approvalId !== '' && Date.parse(entry.deadline) <= now.getTime(),
    );
    for (const [token, entry] of expired) {
      this.waiting.delete(token);
      this.options.onWaiting(entry.executionName, false);
      entry.reject(
        new StatesTimeoutError(`Approval ${entry.approvalId} was not decided by ${entry.deadline}`),
      );
    }
    return expired.map(([, { approvalId, executionName, incidentId, step, deadline }]) => ({
      approvalId,
      executionName,
      incidentId,
      step,
      deadline,
    }));
  }

  /**
   * Ends every wait once the deployment has stopped the executions: each Task's wait is settled (which
   * clears the engine's timer for its `TimeoutSeconds`), though nothing runs on; the records stay pending in
   * the approvals table, as an approval of a stopped execution does in AWS.
   */
  public forget(): void {
    for (const entry of this.waiting.values()) {
      this.options.onWaiting(entry.executionName, false);
      entry.reject(Object.assign(new Error('The execution was stopped'), { name: 'ExecutionAbortedError' }));
    }
    this.waiting.clear();
  }

  /** The record as the approvals table holds it now (read from the model: an operator's look, not a call). */
  private outcomeOf(approval: PendingApproval, by: string): ApprovalAnswer['outcome'] {
    const item = this.options.sandbox.dynamodb
      .items(this.table)
      .find((candidate) => candidate.approvalId?.S === approval.approvalId);
    const record = (item === undefined ? undefined : unmarshall(item)) as Partial<ApprovalRecord> | undefined;
    if (record?.status === 'approved' || record?.status === 'rejected') {
      if (record.decision?.decidedBy.id !== by) return 'already-decided';
      return record.callback?.status === 'failed' ? 'not-delivered' : record.status;
    }
    if (record?.expiresAt !== undefined && Date.parse(record.expiresAt) <= this.options.now().getTime()) {
      return 'expired';
    }
    return 'not-approver';
  }
}
