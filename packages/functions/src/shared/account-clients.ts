import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { SNSClient } from '@aws-sdk/client-sns';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { observerRoleName } from '@cordon/core/actions/observe-instance';
import type { AwsClients } from '@cordon/core/actions/types';
import type { Settings } from '@cordon/core/policy/settings';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { ClientNotProvidedError } from '../errors.ts';

type ClientConfig = { region: string; credentials?: AwsCredentialIdentityProvider };

/**
 * The SDK client classes a function may use. Each handler passes only those its action calls, so that the
 * bundler leaves the others out (the EC2 client alone is about half a megabyte: docs/benchmarks.md).
 */
export interface ClientConstructors {
  readonly ec2: new (config: ClientConfig) => EC2Client;
  readonly iam: new (config: ClientConfig) => IAMClient;
  readonly autoScaling: new (config: ClientConfig) => AutoScalingClient;
  readonly elbv2: new (config: ClientConfig) => ElasticLoadBalancingV2Client;
  readonly elb: new (config: ClientConfig) => ElasticLoadBalancingClient;
  readonly sns: new (config: ClientConfig) => SNSClient;
}

export interface AccountClientsOptions {
  readonly region: string;
  readonly constructors: Partial<ClientConstructors>;
  /** The account the function runs in; incidents there use the function's own role. */
  readonly homeAccount: string;
  /** The role to assume in a member account (default: the responder role). */
  readonly roleArn?: (account: string, settings: Settings) => string;
  /** The session name CloudTrail shows for the assumed role (default `cordon-responder`). */
  readonly sessionName?: string;
  /** For tests: the credentials of a member account's responder role. */
  readonly assumeRole?: (roleArn: string, externalId: string | undefined) => AwsCredentialIdentityProvider;
}

/** The account a function runs in, from its own ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
export function accountOf(invokedFunctionArn: string): string {
  return invokedFunctionArn.split(':')[4] ?? '';
}

/** The responder role actions assume in a member account (DOMAIN.md item 36). */
export function responderRoleArn(account: string, settings: Settings): string {
  return `arn:aws:iam::${account}:role/${settings.responder.roleName}`;
}

export function observerRoleArn(account: string, settings: Settings): string {
  return `arn:aws:iam::${account}:role/${observerRoleName(settings)}`;
}

/**
 * Makes the AWS clients an action needs for the incident's account, once per account: the function's own
 * credentials at home, the responder role (AssumeRole with the external id from settings) in a member account.
 *
 * @example
 * const clientsFor = createAccountClients({ region: 'us-east-1', homeAccount: '111111111111', constructors: { ec2: EC2Client } });
 * const clients = clientsFor('222222222222', settings); // assumes arn:aws:iam::222222222222:role/CordonResponder
 */
export function createAccountClients(
  options: AccountClientsOptions,
): (account: string, settings: Settings) => AwsClients {
  const cache = new Map<string, AwsClients>();
  const assumeRole =
    options.assumeRole ??
    ((roleArn: string, externalId: string | undefined) =>
      fromTemporaryCredentials({
        params: {
          RoleArn: roleArn,
          ExternalId: externalId,
          RoleSessionName: options.sessionName ?? 'cordon-responder',
          DurationSeconds: 900,
        },
        clientConfig: { region: options.region },
      }));
  return (account, settings) => {
    const home = account === options.homeAccount;
    const roleArn = home ? 'home' : (options.roleArn ?? responderRoleArn)(account, settings);
    const key = `${account}|${roleArn}|${settings.responder.externalId ?? ''}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const credentials = home ? undefined : assumeRole(roleArn, settings.responder.externalId);
    const config: ClientConfig = {
      region: options.region,
      ...(credentials === undefined ? {} : { credentials }),
    };
    // Clients are made on first use: most actions touch one or two services, and cold start counts.
    const lazy = <K extends keyof ClientConstructors>(name: K, clientConfig: ClientConfig) => {
      let client: InstanceType<ClientConstructors[K]> | undefined;
      return () => {
        const Client = options.constructors[name];
        if (Client === undefined) throw new ClientNotProvidedError(name);
        client ??= new Client(clientConfig) as InstanceType<ClientConstructors[K]>;
        return client;
      };
    };
    const ec2 = lazy('ec2', config);
    const iam = lazy('iam', config);
    const autoScaling = lazy('autoScaling', config);
    const elbv2 = lazy('elbv2', config);
    const elb = lazy('elb', config);
    // Cordon's notification topic lives in its home account, whatever account the incident is in.
    const sns = lazy('sns', { region: options.region });
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

/**
 * `createAccountClients` for a function that learns its own account per invocation (from its ARN): one
 * client cache per home account.
 *
 * @example const clientsFor = accountClientsByHome({ region, constructors: { ec2: EC2Client } });
 * clientsFor('222222222222', settings, accountOf(context.invokedFunctionArn));
 */
export function accountClientsByHome(
  options: Omit<AccountClientsOptions, 'homeAccount'>,
): (account: string, settings: Settings, homeAccount: string) => AwsClients {
  const factories = new Map<string, ReturnType<typeof createAccountClients>>();
  return (account, settings, homeAccount) => {
    let factory = factories.get(homeAccount);
    if (factory === undefined) {
      factory = createAccountClients({ ...options, homeAccount });
      factories.set(homeAccount, factory);
    }
    return factory(account, settings);
  };
}
