import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { parseSettings } from '@cordon/core/policy/settings';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientNotProvidedError } from '../../src/errors.ts';
import {
  accountClientsByHome,
  actionRoleArn,
  createAccountClients,
  observerRoleArn,
} from '../../src/shared/account-clients.ts';

function settings(overrides: Record<string, unknown> = {}) {
  const result = parseSettings(overrides);
  if (!result.ok) throw new Error(result.reason);
  return result.settings;
}

const session = () =>
  vi.fn(() => async () => ({
    accessKeyId: 'ASIAX',
    secretAccessKey: 's',
    sessionToken: 't',
  }));

const HOME = { account: '111111111111', region: 'us-east-1' };
const MEMBER = { account: '222222222222', region: 'us-east-1' };

describe('createAccountClients', () => {
  const ec2 = mockClient(EC2Client);
  afterEach(() => ec2.reset());

  it("uses the function's own credentials in its home account", async () => {
    const assumeRole = vi.fn();
    const clientsFor = createAccountClients({
      region: 'us-east-1',
      homeAccount: '111111111111',
      roleArn: actionRoleArn('isolate-instance'),
      assumeRole,
      constructors: { ec2: EC2Client },
    });
    clientsFor(HOME, settings()).ec2;
    expect(assumeRole).not.toHaveBeenCalled();
  });

  it('assumes the action’s own role (settings prefix + action id), with the external id, in a member account (DOMAIN.md item 36)', () => {
    const assumeRole = session();
    const clientsFor = createAccountClients({
      region: 'us-east-1',
      homeAccount: '111111111111',
      roleArn: actionRoleArn('snapshot-volumes'),
      assumeRole,
      constructors: { ec2: EC2Client },
    });
    clientsFor(
      MEMBER,
      settings({ responder: { roleName: 'SecOpsResponder', externalId: 'cordon-ext-1234' } }),
    );
    expect(assumeRole).toHaveBeenCalledWith(
      'arn:aws:iam::222222222222:role/SecOpsResponder-snapshot-volumes',
      'cordon-ext-1234',
    );
  });

  it("acts in the incident's region, while SNS stays in the function's own region (Cordon's topic)", async () => {
    const clientsFor = createAccountClients({
      region: 'us-east-1',
      homeAccount: '111111111111',
      roleArn: actionRoleArn('isolate-instance'),
      assumeRole: session(),
      constructors: { ec2: EC2Client, sns: SNSClient },
    });
    const clients = clientsFor({ account: '222222222222', region: 'eu-west-1' }, settings());

    expect(await (clients.ec2 as EC2Client).config.region()).toBe('eu-west-1');
    expect(await (clients.sns as SNSClient).config.region()).toBe('us-east-1');
  });

  it('makes the clients once per account and region, each client on first use, and one session per role', async () => {
    const assumeRole = session();
    let made = 0;
    class CountedEC2Client extends EC2Client {
      constructor(...config: ConstructorParameters<typeof EC2Client>) {
        super(...config);
        made += 1;
      }
    }
    const clientsFor = createAccountClients({
      region: 'us-east-1',
      homeAccount: '111111111111',
      roleArn: actionRoleArn('isolate-instance'),
      assumeRole,
      constructors: { ec2: CountedEC2Client },
    });
    const first = clientsFor(MEMBER, settings());
    expect(made).toBe(0);
    ec2.on(DescribeInstancesCommand).resolves({});
    await first.ec2.send(new DescribeInstancesCommand({}));
    expect(clientsFor(MEMBER, settings())).toBe(first);
    expect(first.ec2).toBe(first.ec2);
    expect(made).toBe(1);
    const elsewhere = clientsFor({ ...MEMBER, region: 'eu-west-1' }, settings());
    expect(elsewhere === first).toBe(false); // not toBe: printing the clients would make every one
    expect(assumeRole).toHaveBeenCalledTimes(1);
  });

  it('refuses a client its handler did not provide, naming it', () => {
    const clientsFor = createAccountClients({
      region: 'us-east-1',
      homeAccount: '111111111111',
      roleArn: actionRoleArn('isolate-instance'),
      constructors: { ec2: EC2Client },
    });
    const clients = clientsFor(HOME, settings());
    expect(clients.ec2).toBeInstanceOf(EC2Client);
    expect(() => clients.iam).toThrow(ClientNotProvidedError);
    expect(() => clients.iam).toThrow(/iam client/);
  });

  it('names each action’s role and the observer role by account and settings', () => {
    expect(actionRoleArn('release-instance')('333333333333', settings())).toBe(
      'arn:aws:iam::333333333333:role/CordonResponder-release-instance',
    );
    expect(observerRoleArn('333333333333', settings())).toBe(
      'arn:aws:iam::333333333333:role/CordonResponderObserver',
    );
  });
});

describe('accountClientsByHome', () => {
  it('treats the account the function runs in as home, per invocation, and keeps one cache per home account', () => {
    const assumeRole = session();
    const clientsFor = accountClientsByHome({
      region: 'us-east-1',
      assumeRole,
      constructors: { ec2: EC2Client },
      roleArn: observerRoleArn,
    });

    const atHome = clientsFor(HOME, settings(), '111111111111');
    expect(assumeRole).not.toHaveBeenCalled();
    expect(clientsFor(HOME, settings(), '111111111111')).toBe(atHome);
    clientsFor(HOME, settings(), '222222222222');
    expect(assumeRole).toHaveBeenCalledWith(
      'arn:aws:iam::111111111111:role/CordonResponderObserver',
      undefined,
    );
  });
});
