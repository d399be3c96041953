import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsClients } from '@cordon/core/actions/types';
import type { Settings } from '@cordon/core/policy/settings';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

export interface AccountClientsOptions {
  readonly region: string;
  /** The account the function runs in; incidents there use the function's own role. */
  readonly homeAccount: string;
  /** Wraps each client (Powertools Tracer's `captureAWSv3Client` in Lambda). */
  readonly instrument?: <T>(client: T) => T;
  /** For tests: the credentials of a member account's responder role. */
  readonly assumeRole?: (roleArn: string, externalId: string | undefined) => AwsCredentialIdentityProvider;
}

/** The responder role actions assume in a member account (DOMAIN.md item 36). */
export function responderRoleArn(account: string, settings: Settings): string {
  return `arn:aws:iam::${account}:role/${settings.responder.roleName}`;
}

/**
 * Makes the AWS clients an action needs for the incident's account, once per account: the function's own
 * credentials at home, the responder role (AssumeRole with the external id from settings) in a member account.
 *
 * @example
 * const clientsFor = createAccountClients({ region: 'us-east-1', homeAccount: '111111111111' });
 * const clients = clientsFor('222222222222', settings); // assumes arn:aws:iam::222222222222:role/CordonResponder
 */
export function createAccountClients(
  options: AccountClientsOptions,
): (account: string, settings: Settings) => AwsClients {
  const cache = new Map<string, AwsClients>();
  const instrument = options.instrument ?? (<T>(client: T) => client);
  const assumeRole =
    options.assumeRole ??
    ((roleArn: string, externalId: string | undefined) =>
      fromTemporaryCredentials({
        params: {
          RoleArn: roleArn,
          ExternalId: externalId,
          RoleSessionName: 'cordon-responder',
          DurationSeconds: 900,
        },
        clientConfig: { region: options.region },
      }));
  return (account, settings) => {
    const home = account === options.homeAccount;
    const roleArn = home ? 'home' : responderRoleArn(account, settings);
    const key = `${account}|${roleArn}|${settings.responder.externalId ?? ''}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const credentials = home ? undefined : assumeRole(roleArn, settings.responder.externalId);
    const config = { region: options.region, ...(credentials === undefined ? {} : { credentials }) };
    // Clients are made on first use: most actions touch one or two services, and cold start counts.
    const lazy = <T>(make: () => T) => {
      let client: T | undefined;
      return () => {
        client ??= instrument(make());
        return client;
      };
    };
    const ec2 = lazy(() => new EC2Client(config));
    const iam = lazy(() => new IAMClient(config));
    const autoScaling = lazy(() => new AutoScalingClient(config));
    const elbv2 = lazy(() => new ElasticLoadBalancingV2Client(config));
    const elb = lazy(() => new ElasticLoadBalancingClient(config));
    // Cordon's notification topic lives in its home account, whatever account the incident is in.
    const sns = lazy(() => new SNSClient({ region: options.region }));
    const clients: AwsClients = {
      get ec2() {
        return ec2();
      },
      get iam() {
        return iam();
      },
      get autoScaling() {
        return autoScaling();
      },
      get elbv2() {
        return elbv2();
      },
      get elb() {
        return elb();
      },
      get sns() {
        return sns();
      },
    };
    cache.set(key, clients);
    return clients;
  };
}
