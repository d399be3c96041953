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
