import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { SNSClient } from '@aws-sdk/client-sns';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { actionRoleName } from '@cordon/core/actions/member-roles';
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
  readonly s3: new (config: ClientConfig) => S3Client;
  readonly s3Control: new (config: ClientConfig) => S3ControlClient;
  readonly cloudTrail: new (config: ClientConfig) => CloudTrailClient;
  readonly kms: new (config: ClientConfig) => KMSClient;
  readonly rds: new (config: ClientConfig) => RDSClient;
  /** AWS Config: triage reads a result's rule with it (DescribeConfigRules), through the observer role. */
  readonly config: new (
    config: ClientConfig,
  ) => ConfigServiceClient;
}

export interface AccountClientsOptions {
  /**
   * The function's own region: its STS calls go there, and so do SNS's (Cordon's topic lives in its home
   * account and region, whatever account and region the incident is in).
   */
  readonly region: string;
  readonly constructors: Partial<ClientConstructors>;
  /** The account the function runs in; incidents there use the function's own role. */
  readonly homeAccount: string;
  /** The role to assume in a member account: the action's own role ({@link actionRoleArn}), or the observer role. */
  readonly roleArn: (account: string, settings: Settings) => string;
  /** The session name CloudTrail shows for the assumed role (default `cordon-responder`). */
  readonly sessionName?: string;
  /** For tests: the credentials of a member account's role. */
  readonly assumeRole?: (roleArn: string, externalId: string | undefined) => AwsCredentialIdentityProvider;
}

/**
 * The clients of one account and region: an action's (`AwsClients`), and AWS Config's, which triage reads a
 * result's rule with (actions never call it: no action's permissions name `config:`).
 */
export type AccountClients = AwsClients & { readonly config: Pick<ConfigServiceClient, 'send'> };

/** Where an incident is: its account, and its region — an action's clients act there, not in the function's. */
export interface AccountTarget {
  readonly account: string;
  readonly region: string;
}

/** The account a function runs in, from its own ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
export function accountOf(invokedFunctionArn: string): string {
  return invokedFunctionArn.split(':')[4] ?? '';
}

/**
 * The role an action assumes in a member account: its own (`<settings.responder.roleName>-<action id>`),
 * which holds that action's permissions only and trusts that action's function only (DOMAIN.md item 36;
 * infra/member-account/template.ts).
 *
 * @example actionRoleArn('isolate-instance')('222222222222', settings) // 'arn:aws:iam::222222222222:role/CordonResponder-isolate-instance'
 */
export function actionRoleArn(actionId: string): (account: string, settings: Settings) => string {
  return (account, settings) => `arn:aws:iam::${account}:role/${actionRoleName(settings, actionId)}`;
}

export function observerRoleArn(account: string, settings: Settings): string {
  return `arn:aws:iam::${account}:role/${observerRoleName(settings)}`;
}

/**
 * Makes the AWS clients an action needs for the incident's account and region, once per account and region:
 * the function's own credentials at home, the member account's role (AssumeRole with the external id from
 * settings) elsewhere. SNS stays in the function's region (Cordon's topic).
 *
 * @example
 * const clientsFor = createAccountClients({ region: 'us-east-1', homeAccount: '111111111111', roleArn: actionRoleArn('isolate-instance'), constructors: { ec2: EC2Client } });
 * const clients = clientsFor({ account: '222222222222', region: 'eu-west-1' }, settings); // EC2 in eu-west-1, as CordonResponder-isolate-instance
 */
export function createAccountClients(
  options: AccountClientsOptions,
): (target: AccountTarget, settings: Settings) => AccountClients {
  const cache = new Map<string, AccountClients>();
  const sessions = new Map<string, AwsCredentialIdentityProvider>();
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
  return ({ account, region }, settings) => {
    const home = account === options.homeAccount;
    const roleArn = home ? 'home' : options.roleArn(account, settings);
    const externalId = settings.responder.externalId;
    const session = `${account}|${roleArn}|${externalId ?? ''}`;
    const key = `${session}|${region}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    let credentials = home ? undefined : sessions.get(session);
    if (!home && credentials === undefined) {
      // One session per role, shared by the clients of every region (the credentials are not regional).
      credentials = assumeRole(roleArn, externalId);
      sessions.set(session, credentials);
    }
    const config: ClientConfig = { region, ...(credentials === undefined ? {} : { credentials }) };
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
    const configService = lazy('config', config);
    const s3 = lazy('s3', config);
    const s3Control = lazy('s3Control', config);
    const cloudTrail = lazy('cloudTrail', config);
    const kms = lazy('kms', config);
    const rds = lazy('rds', config);
    // Cordon's notification topic lives in its home account and region, wherever the incident is.
    const sns = lazy('sns', { region: options.region });
    const clients: AccountClients = {
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
      get config() {
        return configService();
      },
      get s3() {
        return s3();
      },
      get s3Control() {
        return s3Control();
      },
      get cloudTrail() {
        return cloudTrail();
      },
      get kms() {
        return kms();
      },
      get rds() {
        return rds();
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
 * @example const clientsFor = accountClientsByHome({ region, roleArn: actionRoleArn('isolate-instance'), constructors: { ec2: EC2Client } });
 * clientsFor({ account: '222222222222', region: 'eu-west-1' }, settings, accountOf(context.invokedFunctionArn));
 */
export function accountClientsByHome(
  options: Omit<AccountClientsOptions, 'homeAccount'>,
): (target: AccountTarget, settings: Settings, homeAccount: string) => AccountClients {
  const factories = new Map<string, ReturnType<typeof createAccountClients>>();
  return (target, settings, homeAccount) => {
    let factory = factories.get(homeAccount);
    if (factory === undefined) {
      factory = createAccountClients({ ...options, homeAccount });
      factories.set(homeAccount, factory);
    }
    return factory(target, settings);
  };
}
