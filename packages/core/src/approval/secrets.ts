/** The approval flow's secrets: what they are called in SSM, and what the approval API reads of them. */
import { stagePath } from '../policy/settings.ts';

/** The approval flow's secrets, each an SSM SecureString under `/cordon/<stage>/secrets/`. */
export const APPROVAL_SECRETS = [
  'link-signing-key',
  'slack-signing-secret',
  'slack-bot-token',
  'slack-webhook-url',
] as const;
export type ApprovalSecretName = (typeof APPROVAL_SECRETS)[number];

/** The secrets' values; an absent Slack secret means that part of Slack is not set up. */
export interface ApprovalSecrets {
  /** Signs approval links and CSRF tokens (HMAC-SHA256); at least 32 characters. */
  readonly linkSigningKey: string;
  /** Absent: Slack is not set up, and `/slack/interactions` answers 404. */
  readonly slackSigningSecret?: string;
  readonly slackBotToken?: string;
  readonly slackWebhookUrl?: string;
}

/**
 * The SSM parameter names of the approval secrets for a stage (the adapters read them, infra grants
 * `ssm:GetParameter` and `kms:Decrypt` on them, docs/slack-setup.md tells people to create them).
 *
 * @example approvalSecretParameters('prod')['link-signing-key'] // '/cordon/prod/secrets/link-signing-key'
 */
export function approvalSecretParameters(stage: string): Readonly<Record<ApprovalSecretName, string>> {
  const base = `${stagePath(stage)}secrets/`;
  return {
    'link-signing-key': `${base}link-signing-key`,
    'slack-signing-secret': `${base}slack-signing-secret`,
    'slack-bot-token': `${base}slack-bot-token`,
    'slack-webhook-url': `${base}slack-webhook-url`,
  };
}
