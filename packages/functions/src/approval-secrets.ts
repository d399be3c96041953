/**
 * The approval secrets from SSM (`/cordon/<stage>/secrets/…`, SecureString), read decrypted and cached for
 * five minutes by Powertools Parameters; shared by the approval API and request-approval. Values are never
 * logged.
 */
import { getParameter, type SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { type ApprovalSecrets, approvalSecretParameters } from '@cordon/core/approval/secrets';
import { ApprovalSecretMissingError, rootCauseName } from '@cordon/core/errors';

/** Secrets are re-read from SSM at most every five minutes (a rotated secret takes effect within that). */
const SECRETS_MAX_AGE_SECONDS = 300;

/**
 * Reads the approval secrets. A missing Slack secret means "Slack is not set up"; a missing link-signing key
 * is an `ApprovalSecretMissingError` (no link could be signed or verified); any other failure is thrown.
 *
 * `provider` reads through a provider of its own (the local deployment's, on its sandbox's SSM as the
 * function's role); by default Powertools' shared one.
 *
 * @example const secrets = await ssmApprovalSecrets('prod')(); // { linkSigningKey: '…', slackSigningSecret: '…' }
 */
export function ssmApprovalSecrets(
  stage: string,
  provider?: Pick<SSMProvider, 'get'>,
): () => Promise<ApprovalSecrets> {
  const names = approvalSecretParameters(stage);
  const get = (name: string) => {
    const options = { decrypt: true, maxAge: SECRETS_MAX_AGE_SECONDS } as const;
    return provider === undefined ? getParameter(name, options) : provider.get(name, options);
  };
  const read = async (name: string): Promise<string | undefined> => {
    try {
      const value = await get(name);
      return value === undefined || value === '' ? undefined : value;
    } catch (error) {
      // ParameterNotFound (wrapped by Powertools) means not configured; anything else is a real failure.
      if (rootCauseName(error) === 'ParameterNotFound') return undefined;
      throw error;
    }
  };
  return async () => {
    const [linkSigningKey, slackSigningSecret, slackBotToken, slackWebhookUrl] = await Promise.all([
      read(names['link-signing-key']),
      read(names['slack-signing-secret']),
      read(names['slack-bot-token']),
      read(names['slack-webhook-url']),
    ]);
    if (linkSigningKey === undefined) {
      throw new ApprovalSecretMissingError(
        `the link-signing key ${names['link-signing-key']} is not configured`,
      );
    }
    return {
      linkSigningKey,
      ...(slackSigningSecret === undefined ? {} : { slackSigningSecret }),
      ...(slackBotToken === undefined ? {} : { slackBotToken }),
      ...(slackWebhookUrl === undefined ? {} : { slackWebhookUrl }),
    };
  };
}
