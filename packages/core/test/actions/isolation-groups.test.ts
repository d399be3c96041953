import type { SecurityGroup } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import {
  groupKey,
  ISOLATION_GROUP_TAG,
  isolationGroupsIn,
  planGroup,
} from '../../src/actions/isolation-groups.ts';
import { allTraffic, ruleKey } from '../../src/actions/security-group-rules.ts';
import { ActionFailedError } from '../../src/errors.ts';

const VPC_A = 'vpc-0000000000000aaa1';
const VPC_B = 'vpc-0000000000000bbb1';
const MANAGED = [{ Key: ISOLATION_GROUP_TAG.key, Value: ISOLATION_GROUP_TAG.value }];

function group(overrides: Partial<SecurityGroup>): SecurityGroup {
  return {
    GroupId: 'sg-0000000000000aaa1',
    GroupName: 'cordon-isolation',
    VpcId: VPC_A,
    Tags: [...MANAGED],
    ...overrides,
  };
}

describe('isolationGroupsIn', () => {
  it('finds both isolation groups of each wanted VPC, by VPC and role', () => {
    // Prepare
    const untrack = group({ GroupId: 'sg-0000000000000aaa2', GroupName: 'cordon-isolation-untrack' });
    const isolate = group({});

    // Act
    const found = isolationGroupsIn([untrack, isolate], [VPC_A]);

    // Assess
    expect([...found.entries()]).toEqual([
      [groupKey(VPC_A, 'untrack'), untrack],
      [groupKey(VPC_A, 'isolate'), isolate],
    ]);
  });

  it('leaves out groups of other names, of other VPCs, and groups without an id', () => {
    // Prepare: none of these is this run's business, tagged or not (and none is refused).
    const groups = [
      group({ GroupName: 'web', Tags: [] }),
      group({ VpcId: VPC_B, Tags: [] }),
      group({ VpcId: undefined, Tags: [] }),
      group({ GroupId: undefined }),
    ];

    // Act
    const found = isolationGroupsIn(groups, [VPC_A]);

    // Assess
    expect(found.size).toBe(0);
  });

  it.each([
    ['no tags at all', undefined],
    ['no tags', []],
    [`${ISOLATION_GROUP_TAG.key}=false`, [{ Key: ISOLATION_GROUP_TAG.key, Value: 'false' }]],
    ['the right value under another key', [{ Key: 'managed', Value: ISOLATION_GROUP_TAG.value }]],
  ])('refuses a same-named group Cordon did not tag (%s), naming the group and what to do', (_, tags) => {
    // Prepare
    const foreign = group({ GroupId: 'sg-0000000000000fff1', Tags: tags });

    // Act
    const find = () => isolationGroupsIn([foreign], [VPC_A]);

    // Assess
    expect(find).toThrow(ActionFailedError);
    expect(find).toThrow(
      `sg-0000000000000fff1 in ${VPC_A} is named cordon-isolation but lacks cordon:managed=true: ` +
        'Cordon uses only isolation groups it created. Rename or delete that group, then retry.',
    );
  });

  it('accepts the managed tag among other tags', () => {
    const tagged = group({ Tags: [{ Key: 'team', Value: 'web' }, ...MANAGED] });
    expect(isolationGroupsIn([tagged], [VPC_A]).get(groupKey(VPC_A, 'isolate'))).toBe(tagged);
  });
});

describe('planGroup', () => {
  it('plans a new untrack group from the rules a new group comes with: adds the other three allow-alls', () => {
    // Act
    const plan = planGroup(VPC_A, 'untrack', undefined);

    // Assess
    expect(plan).toMatchObject({ vpcId: VPC_A, role: 'untrack', name: 'cordon-isolation-untrack' });
    expect(plan.existingId).toBeUndefined();
    expect(plan.missing.map(ruleKey)).toEqual([
      'ingress all 0.0.0.0/0',
      'ingress all ::/0',
      'egress all ::/0',
    ]);
    expect(plan.extra).toEqual([]);
  });

  it('plans to take every rule off an existing isolate group', () => {
    // Act
    const plan = planGroup(
      VPC_A,
      'isolate',
      group({ IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }),
    );

    // Assess
    expect(plan.existingId).toBe('sg-0000000000000aaa1');
    expect(plan.missing).toEqual([]);
    expect(plan.extra.map(ruleKey)).toEqual([ruleKey(allTraffic('egress', 'ipv4'))]);
  });
});
