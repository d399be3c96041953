/**
 * The SNS topic (encrypted with Cordon's key), an optional e-mail subscription, and the secrets.
 *
 * CloudFormation and Pulumi cannot create a SecureString with an empty value, and a placeholder would be read
 * as a real value by the handlers (a public, known link-signing key would let anyone forge an approval). So:
 * - `link-signing-key` and `slack-signing-secret` are created with 32 random bytes at the first deploy: secure
 *   at once, replaced by the team (Slack's signing secret) or rotated at will; `ignoreChanges: ['value']`
 *   keeps their value on every later deploy.
 * - `slack-bot-token` and `slack-webhook-url` are not created: absent means "Slack is off" to every handler,
 *   and the team creates them when they connect Slack (docs/deploy.md). Infra still grants reading them.
 */
import { randomBytes } from 'node:crypto';
import type { DeployConfig } from './config.ts';
import { pascal } from './lambda.ts';
import type { SecretName } from './permissions.ts';
import type { Storage } from './storage.ts';

/** The secrets infra creates, with a random value; the others are the team's to create. */
export const GENERATED_SECRETS = [
  'link-signing-key',
  'slack-signing-secret',
] as const satisfies readonly SecretName[];

export interface Notifications {
  readonly topic: aws.sns.Topic;
  readonly secrets: Readonly<Record<(typeof GENERATED_SECRETS)[number], aws.ssm.Parameter>>;
}

export function createNotifications(config: DeployConfig, storage: Storage): Notifications {
  const topic = new aws.sns.Topic('CordonTopic', {
    name: `${config.prefix}-notifications`,
    displayName: `Cordon ${config.stage}`,
    kmsMasterKeyId: storage.key.arn,
  });
  if (config.notificationEmail !== undefined) {
    new aws.sns.TopicSubscription('CordonEmail', {
      topic: topic.arn,
      protocol: 'email',
      endpoint: config.notificationEmail,
    });
  }
  const secrets = Object.fromEntries(
    GENERATED_SECRETS.map((name) => [
      name,
      new aws.ssm.Parameter(
        `Secret${pascal(name)}`,
        {
          name: `${config.stageRoot}secrets/${name}`,
          type: 'SecureString',
          keyId: storage.key.arn,
          // Drawn on every run but applied only at creation (ignoreChanges); kept secret in the state.
          value: $util.secret(randomBytes(32).toString('base64url')),
          description: `Cordon ${config.stage}: ${name} (random at creation; replace or rotate with put-parameter)`,
        },
        { ignoreChanges: ['value'] },
      ),
    ]),
  ) as Record<(typeof GENERATED_SECRETS)[number], aws.ssm.Parameter>; // fromEntries loses the key type
  return { topic, secrets };
}
