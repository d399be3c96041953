import { describe, expect, it } from 'vitest';
import { loadEvent } from '../support/events.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = 'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json';
const INCLUDE_SAMPLES = { includeSampleFindings: true };

describe('ec2-compromise: a C&C finding on an instance', () => {
  it('contains the instance end to end: evidence kept, out of its ASG and target group, isolated, snapshotted, profile quarantined', async () => {
    const { sandbox, execution, deployment } = await runScenario(loadEvent(EVENT), {
      settings: INCLUDE_SAMPLES,
    });
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.steps.filter((step) => step.attempt === 1).map((step) => step.id)).toEqual(
      expect.arrayContaining(['request-approval', 'contain-instance', 'notify']),
    );
    const ec2 = sandbox.ec2.snapshot();
    const instance = ec2.instances['i-99999999'];
    expect(instance).toMatchObject({
      disableApiTermination: true,
      shutdownBehavior: 'stop',
      tags: { 'cordon:quarantined': 'true' },
    });
    const isolation = Object.values(ec2.securityGroups).find(
      (group) => group.groupName === 'cordon-isolation',
    );
    for (const eniId of instance?.networkInterfaceIds ?? []) {
      expect(JSON.stringify(ec2.networkInterfaces[eniId])).toContain(isolation?.groupId ?? 'missing');
    }
    expect(Object.values(ec2.snapshots)).toHaveLength(2);
    expect(
      Object.values(ec2.profileAssociations).filter((association) => association.instanceId === 'i-99999999'),
    ).toEqual([]);
    expect(JSON.stringify(sandbox.autoScaling.snapshot())).toContain('"lifecycleState":"Standby"');
    expect(deployment.topicArn).toBe('arn:aws:sns:us-east-1:883606788610:cordon-local-notifications');
    expect(sandbox.sns.messages(deployment.topicArn).length).toBeGreaterThan(0);
  });
});

describe('ec2-compromise: the event is a hint, the live account is the truth', () => {
  it('re-reads live state before acting: an instance exempted since the finding is left untouched, and the refusal is reported', async () => {
    const { sandbox, execution, deployment } = await runScenario(loadEvent(EVENT), {
      settings: INCLUDE_SAMPLES,
      // The finding carries no exemption tag (so triage decides to contain); the live instance has one.
      prepare: async (seeded) => {
        await seeded.account.dispatch('EC2', 'CreateTags', {
          Resources: ['i-99999999'],
          Tags: [{ Key: 'cordon:exempt', Value: 'true' }],
        });
        seeded.account.calls.length = 0;
      },
    });
    expect(execution).toMatchObject({ status: 'FAILED', cause: 'contain-instance' });
    expect(execution?.steps.find((step) => step.id === 'contain-instance')?.error?.name).toBe(
      'ExemptResourceError',
    );
    const changed = sandbox.account.mutatingCalls().filter((call) => call.service === 'EC2');
    expect(changed).toEqual([]);
    const messages = sandbox.sns.messages(deployment.topicArn);
    expect(JSON.stringify(messages)).toContain('step contain-instance failed');
  });
});

describe('ec2-compromise without approval: containment from triage’s reads', () => {
  it('plans from what triage read while it claimed the incident, and checks it against the live state read alongside its ledger entry', async () => {
    const { sandbox, execution } = await runScenario(loadEvent(EVENT), {
      // The sample's severity (5) contained without approval.
      settings: { ...INCLUDE_SAMPLES, severity: { approvalAt: 4, autoRemediateAt: 5 } },
    });

    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.output).toMatchObject({
      results: { containInstance: { output: { readFrom: 'observation', replanned: false } } },
    });
    // Triage's five reads, and the step's same five alongside its ledger entry; nothing else before the cut.
    const firstCut = sandbox.account.calls.findIndex(
      (call) => call.command === 'ModifyNetworkInterfaceAttribute',
    );
    const reads = sandbox.account.calls
      .slice(0, firstCut)
      .filter((call) => call.command.startsWith('Describe'))
      .map((call) => call.command)
      .sort();
    expect(reads).toEqual([
      'DescribeAutoScalingInstances',
      'DescribeAutoScalingInstances',
      'DescribeInstanceAttribute',
      'DescribeInstanceAttribute',
      'DescribeInstanceAttribute',
      'DescribeInstanceAttribute',
      'DescribeInstances',
      'DescribeInstances',
      'DescribeSecurityGroups',
      'DescribeSecurityGroups',
    ]);
  });
});
