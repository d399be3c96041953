import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { SandboxAccount } from '../../src/sandbox/sandbox-account.ts';
import type { ServiceModel } from '../../src/sandbox/types.ts';

function stubEc2(): ServiceModel {
  return {
    service: 'EC2',
    commands: { DescribeInstances: () => ({ Reservations: [{ Instances: [{ InstanceId: 'i-1' }] }] }) },
    snapshot: () => ({}),
  };
}

function newClient(sandbox: SandboxAccount): EC2Client {
  // No credentials are configured: the sandbox answers before signing, so none are needed.
  return sandbox.attach(new EC2Client({ region: 'us-east-1' }));
}

describe('SandboxAccount', () => {
  it('answers a real SDK client from its model and records the call', async () => {
    const sandbox = new SandboxAccount().register(stubEc2());
    const output = await newClient(sandbox).send(new DescribeInstancesCommand({ InstanceIds: ['i-1'] }));
    expect(output.Reservations?.[0]?.Instances?.[0]?.InstanceId).toBe('i-1');
    expect(sandbox.calls).toMatchObject([
      { service: 'EC2', command: 'DescribeInstances', input: { InstanceIds: ['i-1'] }, outcome: 'ok' },
    ]);
  });

  it('fails an injected command the given number of times, with the AWS error name, then succeeds', async () => {
    const sandbox = new SandboxAccount().register(stubEc2());
    sandbox.injectFault({ command: 'DescribeInstances', error: 'RequestLimitExceeded', times: 2 });
    const client = newClient(sandbox);
    await expect(client.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
      $fault: 'client',
    });
    await expect(client.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });
    await expect(client.send(new DescribeInstancesCommand({}))).resolves.toBeDefined();
    expect(sandbox.calls.map((call) => call.outcome)).toEqual([
      'RequestLimitExceeded',
      'RequestLimitExceeded',
      'ok',
    ]);
  });

  it('answers a call its principal may not make with UnauthorizedOperation, records it denied, and runs nothing', async () => {
    let answered = 0;
    const sandbox = new SandboxAccount().register({
      ...stubEc2(),
      commands: {
        DescribeInstances: () => {
          answered += 1;
          return {};
        },
      },
    });
    const seen: string[] = [];
    sandbox.authorizeWith(({ principal, command, region }) => {
      seen.push(`${principal.arn} ${command} ${region}`);
      return principal.arn.endsWith('/reader')
        ? { decision: 'allowed', reason: 'ec2:DescribeInstances allowed' }
        : { decision: 'denied', reason: 'no statement allows ec2:DescribeInstances' };
    });
    const reader = { arn: 'arn:aws:iam::111111111111:role/reader', account: '111111111111' };
    const other = { arn: 'arn:aws:iam::111111111111:role/other', account: '111111111111' };
    const ec2 = (principal: typeof reader) =>
      sandbox.attach(new EC2Client({ region: 'eu-west-1' }), { principal, region: 'eu-west-1' });

    await expect(ec2(reader).send(new DescribeInstancesCommand({}))).resolves.toBeDefined();
    await expect(ec2(other).send(new DescribeInstancesCommand({}))).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
      message: expect.stringContaining('no statement allows ec2:DescribeInstances'),
    });
    expect(answered).toBe(1);
    expect(seen).toEqual([
      'arn:aws:iam::111111111111:role/reader DescribeInstances eu-west-1',
      'arn:aws:iam::111111111111:role/other DescribeInstances eu-west-1',
    ]);
    expect(sandbox.calls).toMatchObject([
      { principal: reader.arn, iam: 'allowed', outcome: 'ok' },
      { principal: other.arn, iam: 'denied', outcome: 'UnauthorizedOperation' },
    ]);
  });

  it('does not authorize a client attached without a principal', async () => {
    const sandbox = new SandboxAccount().register(stubEc2());
    sandbox.authorizeWith(() => ({ decision: 'denied', reason: 'never' }));
    await expect(newClient(sandbox).send(new DescribeInstancesCommand({}))).resolves.toBeDefined();
    expect(sandbox.calls[0]).not.toHaveProperty('iam');
  });

  it('answers an unmodelled command with UnsupportedOperation', async () => {
    const sandbox = new SandboxAccount();
    await expect(newClient(sandbox).send(new DescribeInstancesCommand({}))).rejects.toMatchObject({
      name: 'UnsupportedOperation',
    });
  });

  it('waits the injected latency before answering', async () => {
    const slept: number[] = [];
    const sandbox = new SandboxAccount({ sleep: async (ms) => void slept.push(ms) }).register(stubEc2());
    sandbox.injectLatency({ command: '*', ms: 50 });
    await newClient(sandbox).send(new DescribeInstancesCommand({}));
    expect(slept).toEqual([50]);
    expect(sandbox.calls[0]?.latencyMs).toBe(50);
  });
});
