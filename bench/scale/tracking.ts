/**
 * What the scenarios watch for in the model's AWS calls: each network interface moved onto the no-rule
 * isolation group (a containment), each access key deactivated, and when.
 */
import { ISOLATION_GROUP_NAMES } from '../../packages/core/src/actions/guardrails.ts';
import type { AwsWorld } from '../model/aws-world.ts';

export class ContainmentTracker {
  /** ENI → times (virtual ms) of each successful move onto `cordon-isolation`. */
  public readonly eniMoves = new Map<string, number[]>();
  /** Access key → times of each successful UpdateAccessKey to Inactive. */
  public readonly keyDeactivations = new Map<string, number[]>();
  /** `account|region|group id` of every `cordon-isolation` group created during the run. */
  private readonly isolationGroups = new Set<string>();

  public constructor(world: AwsWorld) {
    world.observe((call) => {
      if (call.service === 'EC2' && call.command === 'CreateSecurityGroup') {
        if (call.input.GroupName === ISOLATION_GROUP_NAMES.isolate) {
          const id = (call.output as { GroupId?: string }).GroupId;
          // Group ids are unique per account and Region only (each sandbox numbers its own).
          if (id !== undefined) this.isolationGroups.add(`${call.where.account}|${call.where.region}|${id}`);
        }
        return;
      }
      if (call.service === 'EC2' && call.command === 'ModifyNetworkInterfaceAttribute') {
        const groups = call.input.Groups as string[] | undefined;
        const scoped = `${call.where.account}|${call.where.region}|${groups?.[0] ?? ''}`;
        if (groups?.length === 1 && this.isolationGroups.has(scoped)) {
          push(this.eniMoves, String(call.input.NetworkInterfaceId), call.at);
        }
        return;
      }
      if (call.service === 'IAM' && call.command === 'UpdateAccessKey' && call.input.Status === 'Inactive') {
        push(this.keyDeactivations, String(call.input.AccessKeyId), call.at);
      }
    });
  }

  /** ENIs moved onto the isolation group more than once. */
  public duplicateEniContainments(): number {
    return [...this.eniMoves.values()].filter((times) => times.length > 1).length;
  }

  public duplicateKeyDeactivations(): number {
    return [...this.keyDeactivations.values()].filter((times) => times.length > 1).length;
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
