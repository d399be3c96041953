/**
 * The organization the scenarios play: member accounts and Regions, instances seeded into the model's
 * sandboxes from the findings that name them (an instance with its ENIs, volumes, profile, Auto Scaling group
 * and target group, as the scenario tests seed them), and the access keys of IAM users.
 */
import type { Incident } from '../../packages/core/src/intake/incident.ts';
import { intake } from '../../packages/core/src/intake/intake.ts';
import { type SeedOptions, seedFromIncident } from '../../packages/local/src/seed.ts';
import type { AwsWorld } from '../model/aws-world.ts';
import { hexId } from './findings.ts';

/** The Regions of the organization (the first is Cordon's home Region). */
export const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'] as const;

/** A member account id (12 digits) for an index. */
export function memberAccount(index: number): string {
  return `2${String(index).padStart(11, '0')}`;
}

/** Ids of an instance's network pieces, stable for a label. */
export function instanceIds(label: string, enis = 1) {
  return {
    instanceId: `i-${hexId(`instance:${label}`)}`,
    eniIds: Array.from({ length: enis }, (_, index) => `eni-${hexId(`eni:${label}:${index}`)}`),
  };
}

/** The VPC, subnet and web security group of an account and Region (one of each). */
export function networkOf(account: string, region: string) {
  return {
    vpcId: `vpc-${hexId(`vpc:${account}:${region}`)}`,
    subnetId: `subnet-${hexId(`subnet:${account}:${region}`)}`,
    groupId: `sg-${hexId(`sg:${account}:${region}`)}`,
  };
}

/** The incident intake makes of an event (a scenario's finding must be one). */
export function incidentOfEvent(event: unknown): Incident {
  const received = intake(event);
  if (!received.accepted) throw new Error(`the scenario built an event intake rejects: ${received.reason}`);
  return received.incident;
}

/**
 * Seeds what a finding names into its account and Region's sandbox (its instance, or its key's user), as the
 * scenario tests do. Returns the incident.
 */
export function seedFinding(world: AwsWorld, event: unknown, options: SeedOptions = {}): Incident {
  const incident = incidentOfEvent(event);
  const sandbox = world.sandboxFor(incident.account, incident.region);
  return seedFromIncident(sandbox, incident, {
    autoScalingGroup: options.autoScalingGroup ?? true,
    targetGroup: options.targetGroup ?? true,
    otherAccessKey: options.otherAccessKey ?? true,
    loginProfile: options.loginProfile ?? true,
  }).incident;
}
