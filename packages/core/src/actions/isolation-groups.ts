/**
 * Cordon's isolation groups, per VPC: `cordon-isolation-untrack` (allow-all in and out, IPv4 and IPv6, so
 * tracked connections become untracked) and `cordon-isolation` (no rules). Which of them a VPC has, whether
 * they are Cordon's own (tagged at creation), and what it takes to make their rules exactly right.
 * `isolate-instance` plans with these and creates or puts right what is missing.
 */
import type { SecurityGroup } from '@aws-sdk/client-ec2';
import { ActionFailedError } from '../errors.ts';
import { ISOLATION_GROUP_NAMES } from './guardrails.ts';
import {
  allTraffic,
  diffRules,
  type RuleDiff,
  rulesOf,
  type SecurityGroupRule,
} from './security-group-rules.ts';

/** The tag on the groups Cordon creates; IAM lets Cordon change the rules of these groups only. */
export const ISOLATION_GROUP_TAG = { key: 'cordon:managed', value: 'true' } as const;

export type GroupRole = keyof typeof ISOLATION_GROUP_NAMES;

export const GROUP_DESCRIPTIONS: Readonly<Record<GroupRole, string>> = {
  untrack:
    'Cordon isolation step 1: allows all traffic so that tracked connections become untracked (never left on an instance)',
  isolate: 'Cordon isolation: no rules, so no traffic in or out',
};

/** The rules each isolation group must have, exactly. */
export const WANTED_RULES: Readonly<Record<GroupRole, readonly SecurityGroupRule[]>> = {
  // Allow-all in both directions, IPv4 and IPv6: the condition under which AWS stops tracking a flow.
  untrack: [
    allTraffic('ingress', 'ipv4'),
    allTraffic('ingress', 'ipv6'),
    allTraffic('egress', 'ipv4'),
    allTraffic('egress', 'ipv6'),
  ],
  isolate: [],
};

/** What a new group comes with: no ingress, the allow-all IPv4 egress rule (and no IPv6 one). */
const NEW_GROUP_RULES: readonly SecurityGroupRule[] = [allTraffic('egress', 'ipv4')];

/** One isolation group of one VPC: found (maybe with wrong rules) or to be created, and its rules' diff. */
export interface GroupPlan extends RuleDiff {
  readonly vpcId: string;
  readonly role: GroupRole;
  readonly name: string;
  /** Undefined when the group does not exist yet and `apply` creates it. */
  readonly existingId: string | undefined;
}

/** The plan of one isolation group of one VPC, from the group as found (undefined: not created yet). */
export function planGroup(vpcId: string, role: GroupRole, found: SecurityGroup | undefined): GroupPlan {
  const current = found === undefined ? NEW_GROUP_RULES : rulesOf(found);
  return {
    vpcId,
    role,
    name: ISOLATION_GROUP_NAMES[role],
    existingId: found?.GroupId,
    ...diffRules(current, WANTED_RULES[role]),
  };
}

/** The key of a VPC's group of one role, in the maps of the plan. */
export function groupKey(vpcId: string, role: GroupRole): string {
  return `${vpcId}|${role}`;
}

function hasManagedTag(group: SecurityGroup): boolean {
  return (group.Tags ?? []).some(
    (tag) => tag.Key === ISOLATION_GROUP_TAG.key && tag.Value === ISOLATION_GROUP_TAG.value,
  );
}

/** The isolation groups of the given VPCs (names are unique per VPC), by VPC and role. */
export function isolationGroupsIn(
  groups: readonly SecurityGroup[],
  vpcIds: readonly string[],
): Map<string, SecurityGroup> {
  const found = new Map<string, SecurityGroup>();
  const wanted = new Set(vpcIds);
  for (const group of groups) {
    const role = (Object.keys(ISOLATION_GROUP_NAMES) as GroupRole[]).find(
      (candidate) => ISOLATION_GROUP_NAMES[candidate] === group.GroupName,
    );
    if (role === undefined || group.VpcId === undefined || group.GroupId === undefined) continue;
    // A same-named group in a VPC this instance is not in is none of this run's business.
    if (!wanted.has(group.VpcId)) continue;
    if (!hasManagedTag(group)) {
      // IAM lets Cordon change only groups it tagged at creation; a same-named group someone else made
      // could carry anything, and Cordon must not silently adopt (or open up) it.
      throw new ActionFailedError(
        `${group.GroupId} in ${group.VpcId} is named ${group.GroupName} but lacks ${ISOLATION_GROUP_TAG.key}=${ISOLATION_GROUP_TAG.value}: ` +
          'Cordon uses only isolation groups it created. Rename or delete that group, then retry.',
      );
    }
    found.set(groupKey(group.VpcId, role), group);
  }
  return found;
}
