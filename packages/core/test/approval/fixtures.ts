/** Shared fixtures of the approval tests (core, functions, local): a record, a payload, signed requests. */
import type { ApprovalApi } from '../../src/approval/api.ts';
import type { ApprovalLogger, ApprovalTaskOutput, TaskCallbacks } from '../../src/approval/decide.ts';
import { linkExpiry, signApprovalLink } from '../../src/approval/links.ts';
import type { ApprovalRecord } from '../../src/approval/records.ts';
import { slackSignature } from '../../src/slack/signature.ts';

export const LINK_KEY = '4f6c9a0e2b7d48e1a3c5f7091b2d4e6f8a0c2e4f6b8d0a1c3e5f7a9b1d3f5e7c';
export const SLACK_SECRET = '8f14e45fceea167a5a36dedd4bea2543';
export const NOW = new Date('2026-11-28T10:00:00.000Z');
export const EXPIRES_AT = new Date('2026-11-28T10:59:30.000Z');
export const APPROVAL_ID = 'Yq3k0Vd1cB2m9xWZ_p-7aQ4s';
export const OTHER_APPROVAL_ID = 'Zz9k0Vd1cB2m9xWZ_p-7aQ4t';
/** A token shaped like Step Functions' (long, opaque); no test output may ever contain it. */
export const TASK_TOKEN = `AQCEAAAAKgAAAAMAAAAAAAAAA${'x7Rk2pQ9'.repeat(40)}TOKEN-END`;
export const BASE_URL = 'https://approvals.example.com';
export const APPROVER_SLACK = 'U0APPROVER';
export const APPROVER_GROUP = 'S0ONCALL';
export const APPROVER_WEB = 'alice@example.com';
export const INCIDENT_ID = 'guardduty-123456789012-us-east-1-b4b01b60fc24a199139f8f5f490edd81';

export function incident() {
  return {
    id: INCIDENT_ID,
    title: 'EC2 instance i-0abc1234def567890 is communicating with a known command and control server.',
    category: 'instance-compromise' as const,
    severity: { score: 8, label: 'high' as const },
    source: 'guardduty' as const,
    account: '123456789012',
    region: 'us-east-1',
    resources: [
      {
        kind: 'ec2-instance',
        role: 'compromised',
        instanceId: 'i-0abc1234def567890',
        networkInterfaces: [],
        tags: {},
      },
    ],
  };
}

/** The Payload the playbook's `Ask for approval` Task sends. */
export function approvalPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    taskToken: TASK_TOKEN,
    incidentId: INCIDENT_ID,
    account: '123456789012',
    region: 'us-east-1',
    dryRun: false,
    step: 'contain-instance',
    actions: ['request-approval', 'contain-instance', 'snapshot-volumes', 'notify'],
    incident: incident(),
    playbook: 'ec2-compromise',
    reason: 'High-severity instance compromise: approval required by settings.',
    timeoutSeconds: 3600,
    timeoutDefault: 'approve',
    ...overrides,
  };
}

export function pendingRecord(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    approvalId: APPROVAL_ID,
    taskToken: TASK_TOKEN,
    incidentId: INCIDENT_ID,
    account: '123456789012',
    region: 'us-east-1',
    step: 'contain-instance',
    actions: ['request-approval', 'contain-instance', 'snapshot-volumes', 'notify'],
    playbook: 'ec2-compromise',
    dryRun: false,
    timeoutDefault: 'approve',
    incident: incident(),
    requestedAt: NOW.toISOString(),
    expiresAt: EXPIRES_AT.toISOString(),
    approvers: {
      slackUserIds: [APPROVER_SLACK],
      slackUserGroupIds: [APPROVER_GROUP],
      identities: [APPROVER_WEB],
    },
    status: 'pending',
    ...overrides,
  };
}

export interface RecordedCallback {
  readonly kind: 'success' | 'failure';
  readonly token: string;
  readonly output?: ApprovalTaskOutput;
  readonly error?: string;
  readonly cause?: string;
}

/** Task callbacks that record what they were asked to send; `fail` makes them throw that error. */
export function recordingCallbacks(fail?: Error): TaskCallbacks & { readonly calls: RecordedCallback[] } {
  const calls: RecordedCallback[] = [];
  return {
    calls,
    async sendTaskSuccess(token, output) {
      calls.push({ kind: 'success', token, output });
      if (fail !== undefined) throw fail;
    },
    async sendTaskFailure(token, error, cause) {
      calls.push({ kind: 'failure', token, error, cause });
      if (fail !== undefined) throw fail;
    },
  };
}

export interface RecordingApprovalLogger extends ApprovalLogger {
  /** Every line, message and extra fields serialized: what a log search would see. */
  readonly lines: string[];
}

export function recordingLogger(): RecordingApprovalLogger {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string, extra: Record<string, unknown> = {}) =>
      void lines.push(`${level} ${message} ${JSON.stringify(extra)}`);
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}

/**
 * A request as a test describes it: each platform adapter makes its own of it (a `Request` for the app, a
 * Function URL event for the Lambda, an HTTP request for the local server).
 */
export interface TestRequest {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The query string of a test request; a repeated parameter appears once per value. */
export function queryString(request: TestRequest): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query)) {
    for (const one of typeof value === 'string' ? [value] : value) query.append(name, one);
  }
  return query.toString();
}

/** The `Request` a server hands the app for a test request. */
export function asRequest(request: TestRequest): Request {
  const query = queryString(request);
  const url = `${BASE_URL}${request.path}${query === '' ? '' : `?${query}`}`;
  const method = request.method.toUpperCase();
  return new Request(url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === '' || method === 'GET' || method === 'HEAD' ? {} : { body: request.body }),
  });
}

/** What the app answered, read whole. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends a test request to the app and reads the answer. */
export async function ask(api: Pick<ApprovalApi, 'fetch'>, request: TestRequest): Promise<Answer> {
  const response = await api.fetch(asRequest(request));
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}

export function signedLink(approvalId = APPROVAL_ID, expiresAt = EXPIRES_AT, key = LINK_KEY): URL {
  return new URL(signApprovalLink({ baseUrl: BASE_URL, approvalId, expiresAt, key }));
}

/** The GET a browser (or a mail scanner) makes when the signed link is opened. */
export function pageRequest(link: URL = signedLink()): TestRequest {
  return {
    method: 'GET',
    path: link.pathname,
    query: Object.fromEntries(link.searchParams),
    headers: {},
    body: '',
  };
}

export function formRequest(
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): TestRequest {
  return {
    method: 'POST',
    path,
    query: {},
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  };
}

/** A block_actions payload as Slack sends it when someone clicks a Cordon button. */
export function slackClick(
  options: { userId?: string; actionId?: string; value?: string; responseUrl?: string } = {},
): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: options.userId ?? APPROVER_SLACK, username: 'alice', name: 'alice' },
    actions: [
      {
        type: 'button',
        action_id: options.actionId ?? 'cordon_approve',
        block_id: 'cordon_approval',
        value: options.value ?? APPROVAL_ID,
      },
    ],
    response_url: options.responseUrl ?? 'https://hooks.slack.com/actions/T0/1/abc',
  };
}

/** A signed POST /slack/interactions, as Slack makes it. */
export function slackRequest(
  payload: unknown,
  options: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
): TestRequest {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(options.timestamp ?? linkExpiry(NOW));
  return {
    method: 'POST',
    path: '/slack/interactions',
    query: {},
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(options.secret ?? SLACK_SECRET, timestamp, body),
      ...options.headers,
    },
    body,
  };
}
