/**
 * `POST /slack/interactions`: Slack's button clicks (DOMAIN.md item 28). The signature and its five-minute
 * window are checked first (401), a retry (`X-Slack-Retry-Num`) is acknowledged without deciding, the
 * approver is checked and the decision written (single use) before the answer; the Step Functions callback
 * and the message update follow the answer, so that Slack hears back within its three seconds
 * (https://docs.slack.dev/interactivity/handling-user-interaction#acknowledgment_response).
 */

import { escapeMrkdwn } from '../slack/mrkdwn.ts';
import { verifySlackSignature } from '../slack/signature.ts';
import * as z from '../zod.ts';
import { claimDecision } from './decide.ts';
import { GROUP_APPROVE_ACTION_ID, GROUP_REJECT_ACTION_ID, GROUP_RETRY_ACTION_ID } from './group-messages.ts';
import { slackGroupAction } from './group-routes.ts';
import {
  type ApprovalRequestScope,
  decidePorts,
  formBody,
  formValue,
  headerValue,
  plain,
  SLACK_NO_RETRY,
} from './http.ts';
import { APPROVAL_ID_PATTERN } from './links.ts';
import { decisionSentence } from './page.ts';
import type { ApprovalRecord } from './records.ts';
import { APPROVE_ACTION_ID, decidedMessage, REJECT_ACTION_ID } from './slack-messages.ts';

/** The group message's buttons (group-messages.ts). */
const GROUP_ACTION_IDS: ReadonlySet<string> = new Set([
  GROUP_APPROVE_ACTION_ID,
  GROUP_REJECT_ACTION_ID,
  GROUP_RETRY_ACTION_ID,
]);

/** Slack's own hosts: a response URL is where the API POSTs, and must not become a way to reach others. */
const SLACK_RESPONSE_HOST = /^(?:[a-z0-9-]+\.)*slack\.com$/;

/** Slack's `block_actions` payload, the parts Cordon reads. Other fields are ignored. */
const SlackInteractionSchema = z.object({
  type: z.string(),
  user: z.object({
    id: z.string().check(z.regex(/^[A-Z0-9]{2,32}$/)),
    username: z.optional(z.string().check(z.maxLength(256))),
    name: z.optional(z.string().check(z.maxLength(256))),
  }),
  actions: z.optional(
    z
      .array(
        z.object({
          action_id: z.string().check(z.maxLength(255)),
          value: z.optional(z.string().check(z.maxLength(2000))),
        }),
      )
      .check(z.maxLength(25)),
  ),
  response_url: z.optional(z.string().check(z.maxLength(2000))),
});

function slackResponseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && SLACK_RESPONSE_HOST.test(url.hostname) ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function acknowledge(): Response {
  return plain(200, '', SLACK_NO_RETRY);
}

/** `POST /slack/interactions`. */
export async function slackInteraction(request: Request, scope: ApprovalRequestScope): Promise<Response> {
  const signingSecret = scope.secrets.slackSigningSecret;
  if (signingSecret === undefined || signingSecret === '') return plain(404, 'Slack is not configured.');
  const { deps, now } = scope;
  const body = await formBody(request, scope.maxBodyBytes, (status, _title, message) =>
    plain(status, message, SLACK_NO_RETRY),
  );
  if (!body.ok) return body.response;
  const verified = verifySlackSignature({
    signingSecret,
    timestamp: headerValue(request, 'x-slack-request-timestamp'),
    signature: headerValue(request, 'x-slack-signature'),
    body: body.raw,
    now,
  });
  if (!verified.ok) {
    deps.logger?.warn('approval API: refused a Slack request', { reason: verified.reason });
    return plain(401, `Refused: ${verified.reason}.`, SLACK_NO_RETRY);
  }
  // Slack retries only when it did not get our ack in time; the first delivery is being (or was) processed.
  const retry = headerValue(request, 'x-slack-retry-num');
  if (retry !== undefined) {
    deps.logger?.info('approval API: ignored a Slack retry', {
      retry: retry.slice(0, 8),
      reason: headerValue(request, 'x-slack-retry-reason')?.slice(0, 64),
    });
    return acknowledge();
  }
  const payloadText = formValue(body.form, 'payload');
  if (payloadText === undefined) return plain(400, 'Missing payload.');
  let json: unknown;
  try {
    json = JSON.parse(payloadText);
  } catch {
    return plain(400, 'The payload is not JSON.');
  }
  const parsed = SlackInteractionSchema.safeParse(json);
  if (!parsed.success) return plain(400, 'Not a Slack interaction Cordon understands.');
  const interaction = parsed.data;
  const name = interaction.user.username ?? interaction.user.name;
  const responseUrl = slackResponseUrl(interaction.response_url);
  const groupAction = interaction.actions?.find((candidate) => GROUP_ACTION_IDS.has(candidate.action_id));
  if (interaction.type === 'block_actions' && groupAction !== undefined) {
    return slackGroupAction(
      { actionId: groupAction.action_id, value: groupAction.value ?? '' },
      { kind: 'slack', id: interaction.user.id, ...(name === undefined ? {} : { name }) },
      responseUrl,
      request,
      scope,
    );
  }
  const action = interaction.actions?.find(
    (candidate) => candidate.action_id === APPROVE_ACTION_ID || candidate.action_id === REJECT_ACTION_ID,
  );
  // Other interactions (another app's buttons, shortcuts) are acknowledged and left alone.
  if (interaction.type !== 'block_actions' || action === undefined) return acknowledge();
  const approvalId = action.value ?? '';
  if (!APPROVAL_ID_PATTERN.test(approvalId)) return plain(400, 'The button names no approval.');

  const claim = await claimDecision(
    {
      approvalId,
      decision: action.action_id === APPROVE_ACTION_ID ? 'approve' : 'reject',
      decidedBy: { kind: 'slack', id: interaction.user.id, ...(name === undefined ? {} : { name }) },
      now,
    },
    decidePorts(scope),
  );
  const { slack } = scope;
  // Replies are mrkdwn: what people typed (a name, a comment) is escaped like finding text.
  const tell = (text: string) => async () => {
    if (slack !== undefined && responseUrl !== undefined) await slack.tell(responseUrl, escapeMrkdwn(text));
  };
  const replace = (record: ApprovalRecord) => async () => {
    if (slack === undefined) return;
    await slack.replace(
      {
        ...(responseUrl === undefined ? {} : { responseUrl }),
        ...(record.slackMessage === undefined ? {} : { ref: record.slackMessage }),
      },
      decidedMessage(record),
    );
  };

  switch (claim.code) {
    case 'decided':
      scope.defer('delivering the decision', async () => {
        const delivered = await claim.deliver();
        await replace(delivered.record)().catch((error: unknown) => {
          deps.logger?.warn('approval API: updating the Slack message failed', {
            error: error instanceof Error ? error.name : 'unknown',
          });
        });
      });
      break;
    case 'not-approver':
      scope.defer(
        'replying in Slack',
        tell('You are not one of the configured approvers for this step: nothing was decided.'),
      );
      break;
    case 'already-decided':
      scope.defer('replying in Slack', tell(`Already decided — ${decisionSentence(claim.record)}`));
      scope.defer('updating the Slack message', replace(claim.record));
      break;
    case 'expired':
      scope.defer(
        'replying in Slack',
        tell('This approval has expired: nothing was decided. The playbook applies its timeout default.'),
      );
      scope.defer('updating the Slack message', replace(claim.record));
      break;
    case 'not-found':
      scope.defer('replying in Slack', tell('This approval does not exist any more: nothing was decided.'));
      break;
  }
  return acknowledge();
}
