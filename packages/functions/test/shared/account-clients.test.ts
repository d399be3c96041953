import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { parseSettings } from '@cordon/core/policy/settings';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientNotProvidedError } from '../../src/errors.ts';
import {
  accountClientsByHome,
  createAccountClients,
  responderRoleArn,
} from '../../src/shared/account-clients.ts';

function settings(overrides: Record<string, unknown> = {}) {
  const result = parseSettings(overrides);
  if (!result.ok) throw new Error(result.reason);
  return result.settings;
}

describe('createAccountClients', () => {
  const ec2 = mockClient(EC2Client);
  afterEach(() => ec2.reset());

  it("uses the function's own credentials in its home account", async () => {
    const assumeRole = vi.fn();
    const clientsFor = createAccountClients({
      region: 'us-east-1',
      homeAccount: '111111111111',
      assumeRole,
      constructors: { ec2: EC2Client },
    });
    clientsFor('111111111111', settings()).ec2;
    expect(assumeRole).not.toHaveBeenCalled();
  });

  it('assumes the responder role named in settings, with its external id, in a member account', () => {
    const assumeRole = vi.fn(() => async () => ({
      accessKeyId: 'ASIAX',
      secretAccessKey: 's',
      sessionToken: 't',
    }));
    const clientsFor = createAccountClients({
      region: 'us-east-1',
      homeAccount: '111111111111',
      assumeRole,
      constructors: { ec2: EC2Client },
    });
    clientsFor(
      '222222222222',
      settings({ responder: { roleName: 'SecOpsResponder', externalId: 'cordon-ext-1234' } }),
    );
    expect(assumeRole).toHaveBeenCalledWith(
      'arn:aws:iam::222222222222:role/SecOpsResponder',
      'cordon-ext-1234',
    );
  });

  it('makes the clients once per account and each client on first use', async () => {
    const assumeRole = vi.fn(() => async () => ({
      accessKeyId: 'ASIAX',
      secretAccessKey: 's',
      sessionToken: 't',
    }));
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
      assumeRole,
      constructors: { ec2: CountedEC2Client },
    });
    const first = clientsFor('222222222222', settings());
    expect(made).toBe(0);
    ec2.on(DescribeInstancesCommand).resolves({});
    await first.ec2.send(new DescribeInstancesCommand({}));
    expect(clientsFor('222222222222', settings())).toBe(first);
    expect(first.ec2).toBe(first.ec2);
    expect(made).toBe(1);
    expect(assumeRole).toHaveBeenCalledTimes(1);
  });

  it('refuses a client its handler did not provide, naming it', () => {
    const clientsFor = createAccountClients({
      region: 'us-east-1',
      homeAccount: '111111111111',
      constructors: { ec2: EC2Client },
    });
    const clients = clientsFor('111111111111', settings());
    expect(clients.ec2).toBeInstanceOf(EC2Client);
    expect(() => clients.iam).toThrow(ClientNotProvidedError);
    expect(() => clients.iam).toThrow(/iam client/);
  });

  it('names the responder role by account and settings', () => {
    expect(responderRoleArn('333333333333', settings())).toBe(
      'arn:aws:iam::333333333333:role/CordonResponder',
    );
  });
});

describe('accountClientsByHome', () => {
  it('treats the account the function runs in as home, per invocation, and keeps one cache per home account', () => {
    const assumeRole = vi.fn(() => async () => ({
      accessKeyId: 'ASIAX',
      secretAccessKey: 's',
      sessionToken: 't',
    }));
    const clientsFor = accountClientsByHome({
      region: 'us-east-1',
      assumeRole,
      constructors: { ec2: EC2Client },
      roleArn: (account) => `arn:aws:iam::${account}:role/CordonResponderObserver`,
    });

    const atHome = clientsFor('111111111111', settings(), '111111111111');
    expect(assumeRole).not.toHaveBeenCalled();
    expect(clientsFor('111111111111', settings(), '111111111111')).toBe(atHome);
    clientsFor('111111111111', settings(), '222222222222');
    expect(assumeRole).toHaveBeenCalledWith(
      'arn:aws:iam::111111111111:role/CordonResponderObserver',
      undefined,
    );
  });
});
