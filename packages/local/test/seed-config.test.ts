import { describe, expect, it } from 'vitest';
import { loadDemoEvent, POSTURE_EVENTS } from '../../../test/support/posture.ts';
import { sandboxForEvent } from '../src/seed-event.ts';

type Json = Record<string, unknown>;

/** The world-open inbound rules of a group, as `<protocol> <from>-<to> <peer>`. */
function worldOpen(sandbox: ReturnType<typeof sandboxForEvent>['sandbox'], groupId: string): string[] {
  const group = sandbox.ec2.snapshot().securityGroups[groupId];
  return (group?.ingress ?? [])
    .filter((rule) => rule.peer.value === '0.0.0.0/0' || rule.peer.value === '::/0')
    .map((rule) => `${rule.protocol} ${rule.fromPort}-${rule.toPort} ${rule.peer.value}`)
    .sort();
}

describe('seeding from a Config result', () => {
  it('holds the rule under its deployed name, with the source identifier that name stands for', () => {
    // Act
    const { sandbox } = sandboxForEvent(loadDemoEvent(POSTURE_EVENTS.VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS));

    // Assess
    expect(sandbox.config.snapshot().rules).toEqual({
      'securityhub-vpc-sg-open-only-to-authorized-ports-5d2e1f': expect.objectContaining({
        owner: 'AWS',
        sourceIdentifier: 'VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS',
        inputParameters: '{"authorizedTcpPorts":"443"}',
        createdBy: 'securityhub.amazonaws.com',
      }),
    });
  });

  it.each([
    [
      POSTURE_EVENTS.INCOMING_SSH_DISABLED,
      ['tcp 22-22 0.0.0.0/0', 'tcp 22-22 ::/0', 'tcp 443-443 0.0.0.0/0'],
    ],
    [
      POSTURE_EVENTS.RESTRICTED_INCOMING_TRAFFIC,
      ['tcp 3306-3306 ::/0', 'tcp 3389-3389 0.0.0.0/0', 'tcp 443-443 0.0.0.0/0'],
    ],
    [
      POSTURE_EVENTS.VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS,
      ['tcp 443-443 0.0.0.0/0', 'tcp 8080-8080 0.0.0.0/0', 'udp 53-53 0.0.0.0/0'],
    ],
  ])('%s makes the group open the way the rule forbids, beside what the fix must keep', (file, open) => {
    // Prepare
    const event = loadDemoEvent<{ detail: Json }>(file);

    // Act
    const { sandbox } = sandboxForEvent(event);

    // Assess
    const groupId = event.detail.resourceId as string;
    expect(worldOpen(sandbox, groupId)).toEqual(open);
    const narrow = sandbox.ec2
      .snapshot()
      .securityGroups[groupId]?.ingress.filter((rule) => rule.peer.value === '10.0.0.0/8');
    expect(narrow).toHaveLength(1);
  });

  it("makes the result's group its VPC's default group, with AWS's default rules and one more", () => {
    // Prepare
    const event = loadDemoEvent<{ detail: Json }>(POSTURE_EVENTS.VPC_DEFAULT_SECURITY_GROUP_CLOSED);

    // Act
    const { sandbox } = sandboxForEvent(event);

    // Assess
    const group = sandbox.ec2.snapshot().securityGroups[event.detail.resourceId as string];
    expect(group?.groupName).toBe('default');
    expect(group?.ingress.map((rule) => rule.peer.kind).sort()).toEqual(['group', 'ipv4']);
    expect(group?.egress.map((rule) => rule.peer.value).sort()).toEqual(['0.0.0.0/0', '::/0']);
  });

  it('replaces a placeholder group id, in the sandbox and in the event alike', () => {
    // Prepare
    const event = loadDemoEvent<{ detail: Json }>(POSTURE_EVENTS.INCOMING_SSH_DISABLED);
    event.detail.resourceId = 'sg-placeholder';

    // Act
    const seeded = sandboxForEvent(event);

    // Assess
    const groupId = (seeded.event as { detail: Json }).detail.resourceId as string;
    expect(groupId).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(seeded.substitutions).toEqual([{ kind: 'sg', from: 'sg-placeholder', to: groupId }]);
    expect(worldOpen(seeded.sandbox, groupId)).toContain('tcp 22-22 0.0.0.0/0');
  });

  it('seeds a rule its name names nothing of as a custom rule, and no resource', () => {
    // Prepare
    const event = loadDemoEvent<{ detail: Json }>(POSTURE_EVENTS.INCOMING_SSH_DISABLED);
    event.detail.configRuleName = 'my-custom-rule';

    // Act
    const { sandbox } = sandboxForEvent(event);

    // Assess
    expect(sandbox.config.snapshot().rules['my-custom-rule']).toMatchObject({ owner: 'CUSTOM_LAMBDA' });
    expect(sandbox.ec2.snapshot().securityGroups[event.detail.resourceId as string]).toBeUndefined();
  });
});
