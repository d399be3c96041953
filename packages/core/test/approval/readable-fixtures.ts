/**
 * An approval made the deployed way from a real event (intake, then request-approval with the playbook's
 * Payload): the unit tests, the browser test and the screenshot script read the same one.
 */
import { loadEvent } from '../../../../test/support/events.ts';
import { type ApprovalRecord, MemoryApprovalStore } from '../../src/approval/records.ts';
import { requestApproval } from '../../src/approval/request-approval.ts';
import { intake } from '../../src/intake/intake.ts';
import { parseSettings } from '../../src/policy/settings.ts';
import type { SlackMessage } from '../../src/slack/blocks.ts';
import { APPROVER_SLACK, APPROVER_WEB, BASE_URL, LINK_KEY, NOW, TASK_TOKEN } from './fixtures.ts';

/** A real GuardDuty event: an IAM user's API call from a Tor exit node (credential-compromise). */
export const TOR_CALLER_EVENT = 'guardduty/eb-iam-toripcaller-custodian.json';

export function executionArnOf(incidentId: string): string {
  return `arn:aws:states:us-east-1:111122223333:execution:cordon-prod-credential-compromise:${incidentId}`;
}

export interface ReadableApproval {
  readonly record: ApprovalRecord;
  readonly store: MemoryApprovalStore;
  readonly slack: SlackMessage;
  readonly email: string;
}

/**
 * The approval of the Tor-caller finding, asked as the credential-compromise playbook asks it. `edit` changes
 * the event first (a hostile user name); `linkBaseUrl` is where the approval API answers.
 */
export async function readableApproval(
  options: {
    readonly edit?: (event: Record<string, unknown>) => void;
    readonly linkBaseUrl?: string;
    readonly now?: Date;
  } = {},
): Promise<ReadableApproval> {
  const event = loadEvent(TOR_CALLER_EVENT);
  options.edit?.(event);
  const result = intake(event);
  if (!result.accepted) throw new Error(`the event was not accepted: ${result.reason}`);
  const { incident } = result;
  const parsed = parseSettings({
    approval: {
      approvers: { slackUserIds: [APPROVER_SLACK], identities: [APPROVER_WEB] },
      slackChannel: 'C0SEC',
    },
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  const store = new MemoryApprovalStore();
  let slack: SlackMessage | undefined;
  let email = '';
  const now = options.now ?? NOW;
  const asked = await requestApproval(
    {
      taskToken: TASK_TOKEN,
      executionArn: executionArnOf(incident.id),
      incidentId: incident.id,
      account: incident.account,
      region: incident.region,
      dryRun: false,
      step: 'deactivate-access-key',
      actions: ['request-approval', 'deactivate-access-key', 'revoke-sessions', 'disable-console-access'],
      incident,
      playbook: 'credential-compromise',
      reason: 'A human approves any action on this finding type.',
      timeoutSeconds: 3600,
      timeoutDefault: 'reject',
    },
    {
      store,
      approval: parsed.settings.approval,
      linkBaseUrl: options.linkBaseUrl ?? BASE_URL,
      linkSigningKey: LINK_KEY,
      now: () => now,
      postSlack: async (message) => {
        slack = message;
        return undefined;
      },
      publish: async (_subject, message) => {
        email = message;
      },
    },
  );
  const record = await store.get(asked.approvalId);
  if (record === undefined || slack === undefined)
    throw new Error('the approval was not stored or not posted');
  return { record, store, slack, email };
}
