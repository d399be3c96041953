import { CreateTagsCommand, type Instance, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import type { Change } from '../ledger/ledger.ts';
import * as z from '../zod.ts';
import { assertNotExempt, QUARANTINE_TAG_KEYS } from './guardrails.ts';
import { describeProtection, readInstance } from './observe-instance.ts';
import { type ActionContext, type ActionDefinition, type ActionPlan, StepEnvelopeSchema } from './types.ts';

export const ProtectEvidenceInput = z.extend(StepEnvelopeSchema, {
  instanceId: z.string().check(z.regex(/^i-[0-9a-f]{8,17}$/, 'must be an EC2 instance id')),
});
export type ProtectEvidenceInput = z.output<typeof ProtectEvidenceInput>;

export interface ProtectEvidenceRestore {
  readonly instanceId: string;
  readonly disableApiTermination: boolean;
  readonly shutdownBehavior: string;
  /** Device name → DeleteOnTermination before the change. */
  readonly deleteOnTermination: Readonly<Record<string, boolean>>;
}

/** Reads the instance; `InvalidInstanceID.NotFound` becomes `ResourceGoneError` through the classifier. */
export function describeInstance(context: ActionContext, instanceId: string): Promise<Instance> {
  return readInstance(context.clients, instanceId);
}

/**
 * `protect-evidence`: keeps the instance and its disks as evidence before anything else touches it
 * (DOMAIN.md item 12) — termination protection on, shutdown behaviour `stop`, `DeleteOnTermination=false`
 * on every EBS volume, and the quarantine tags with the incident id.
 *
 * Idempotent: only what differs from the protected state is changed. Exempt instances are refused.
 * IAM: ec2:DescribeInstances, ec2:DescribeInstanceAttribute, ec2:ModifyInstanceAttribute, ec2:CreateTags.
 *
 * @example
 * await runAction(protectEvidence, { incidentId, account, region, dryRun: false, instanceId: 'i-0abc…' }, environment)
 * // changes: disableApiTermination false → true, shutdownBehavior terminate → stop, /dev/xvda deleteOnTermination true → false, tags
 */
export const protectEvidence: ActionDefinition<ProtectEvidenceInput, { instanceId: string }> = {
  id: 'protect-evidence',
  summary:
    'Turns on termination protection, sets shutdown behaviour to stop, keeps every EBS volume on termination, and tags the instance with the incident id.',
  undo: 'Release removes the quarantine tags; the evidence protections stay on (turn them off by hand once the investigation is closed).',
  dryRunBehaviour:
    'Reads the instance and its attributes and records what it would change; no call changes anything.',
  mutating: true,
  input: ProtectEvidenceInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['ec2:DescribeInstances', 'ec2:DescribeInstanceAttribute'],
      resources: ['*'],
      why: 'Read the instance, its volumes and its current protection (Describe* has no resource-level permissions).',
    },
    {
      actions: ['ec2:ModifyInstanceAttribute'],
      resources: ['arn:aws:ec2:{region}:{account}:instance/*', 'arn:aws:ec2:{region}:{account}:volume/*'],
      why: 'Turn on termination protection, stop-on-shutdown and DeleteOnTermination=false (the volume resource type: EC2 authorizes a block-device change on the volumes it names).',
    },
    {
      actions: ['ec2:CreateTags'],
      resources: ['arn:aws:ec2:{region}:{account}:instance/*'],
      condition: {
        'ForAllValues:StringLike': { 'aws:TagKeys': ['cordon:*'] },
        Null: { 'aws:TagKeys': 'false' },
      },
      why: "Write the quarantine tags; only requests that name their keys, and only Cordon's own `cordon:` keys, so it can never edit the exemption tag.",
    },
  ],
  async plan(input, context): Promise<ActionPlan<{ instanceId: string }>> {
    const { instanceId } = input;
    const [instance, protection] = await Promise.all([
      describeInstance(context, instanceId),
      describeProtection(context.clients, instanceId),
    ]);
    return planProtectEvidence(context, instanceId, instance, protection);
  },
};

/**
 * The plan of `protect-evidence` from what was read (live, or triage's observation for `contain-instance`).
 * Exempt instances are refused before anything is planned.
 */
export function planProtectEvidence(
  context: ActionContext,
  instanceId: string,
  instance: Instance,
  protection: { readonly disableApiTermination: boolean; readonly shutdownBehavior: string },
): ActionPlan<{ instanceId: string }> {
  assertNotExempt(instance.Tags, context.settings, instanceId);

  const changes: Change[] = [];
  const protectedAlready = protection.disableApiTermination;
  const shutdownBehavior = protection.shutdownBehavior;
  if (!protectedAlready)
    changes.push({ resource: instanceId, attribute: 'disableApiTermination', before: false, after: true });
  if (shutdownBehavior !== 'stop') {
    changes.push({
      resource: instanceId,
      attribute: 'instanceInitiatedShutdownBehavior',
      before: shutdownBehavior,
      after: 'stop',
    });
  }
  const deleteOnTermination: Record<string, boolean> = {};
  const volumesToKeep: string[] = [];
  for (const mapping of instance.BlockDeviceMappings ?? []) {
    if (mapping.DeviceName === undefined || mapping.Ebs === undefined) continue;
    const before = mapping.Ebs.DeleteOnTermination ?? false;
    deleteOnTermination[mapping.DeviceName] = before;
    if (before) {
      volumesToKeep.push(mapping.DeviceName);
      changes.push({
        resource: `${instanceId}:${mapping.DeviceName}`,
        attribute: 'deleteOnTermination',
        before: true,
        after: false,
      });
    }
  }
  const tags = new Map((instance.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
  const wantedTags = {
    [QUARANTINE_TAG_KEYS.incident]: context.incidentId,
    [QUARANTINE_TAG_KEYS.quarantined]: 'true',
  };
  const missingTags = Object.entries(wantedTags).filter(([key, value]) => tags.get(key) !== value);
  for (const [key, value] of missingTags) {
    changes.push({
      resource: instanceId,
      attribute: `tag:${key}`,
      before: tags.get(key) ?? null,
      after: value,
    });
  }

  const restore: ProtectEvidenceRestore = {
    instanceId,
    disableApiTermination: protectedAlready,
    shutdownBehavior,
    deleteOnTermination,
  };
  return {
    changes,
    restore,
    notes: [],
    output: { instanceId },
    async apply() {
      const ec2 = context.clients.ec2;
      // Independent attributes: one ModifyInstanceAttribute each, sent together (one round trip).
      await Promise.all([
        protectedAlready
          ? undefined
          : ec2.send(
              new ModifyInstanceAttributeCommand({
                InstanceId: instanceId,
                DisableApiTermination: { Value: true },
              }),
            ),
        shutdownBehavior === 'stop'
          ? undefined
          : ec2.send(
              new ModifyInstanceAttributeCommand({
                InstanceId: instanceId,
                InstanceInitiatedShutdownBehavior: { Value: 'stop' },
              }),
            ),
        volumesToKeep.length === 0
          ? undefined
          : ec2.send(
              new ModifyInstanceAttributeCommand({
                InstanceId: instanceId,
                BlockDeviceMappings: volumesToKeep.map((DeviceName) => ({
                  DeviceName,
                  Ebs: { DeleteOnTermination: false },
                })),
              }),
            ),
        missingTags.length === 0
          ? undefined
          : ec2.send(
              new CreateTagsCommand({
                Resources: [instanceId],
                Tags: missingTags.map(([Key, Value]) => ({ Key, Value })),
              }),
            ),
      ]);
      return { instanceId };
    },
  };
}
