/**
 * A storm over the local deployment: one real C&C finding made into `size` findings on `size` instances of one
 * Auto Scaling group, in one account, delivered at once. The deployment runs with the policies infra deploys
 * (a call they would deny fails), its approvals asked by the deployed request-approval handler and decided
 * through the deployed approval API (deployment-grouped-approvals.ts), on a clock that moves only when a function waits.
 */
import { intake } from '../../packages/core/src/intake/intake.ts';
import { type Delivery, LocalDeployment } from '../../packages/local/src/deployment.ts';
import {
  type DeployedApprovals,
  deployedApprovals,
} from '../../packages/local/src/deployment-grouped-approvals.ts';
import type { ExecutionReport } from '../../packages/local/src/engine.ts';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';
import { seedFromIncident } from '../../packages/local/src/seed.ts';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { loadEvent } from './events.ts';

export const STORM_EVENT = 'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json';
export const STORM_ASG = 'asg-web-storm';
export const ONCALL_SLACK = 'U0ONCALL';
export const ONCALL_WEB = 'oncall@example.com';

/**
 * The sample's severity (5) contains automatically, five an hour per account (the blast radius): the rest of
 * the storm asks for approval, in one group.
 */
export const STORM_SETTINGS = {
  includeSampleFindings: true,
  severity: { approvalAt: 4, autoRemediateAt: 5 },
  blastRadius: { maxContainmentsPerAccountPerHour: 5 },
  approval: {
    approvers: { slackUserIds: [ONCALL_SLACK], identities: [ONCALL_WEB] },
    slackChannel: 'C0SECURITY',
  },
};

export interface Storm {
  readonly sandbox: Sandbox;
  readonly deployment: LocalDeployment;
  readonly approvals: DeployedApprovals;
  readonly instanceIds: readonly string[];
  readonly events: readonly unknown[];
  /**
   * Every event delivered at once; answers when every execution has ended, with the deliveries and every
   * execution (a delivery made alongside others may answer before its own execution ends: the deployment's
   * `settle` hands each execution to the first delivery that waits, so the executions are read from it).
   */
  deliverAll(): Promise<{ deliveries: Delivery[]; executions: ExecutionReport[] }>;
  /** Resolves once `count` approval requests have been asked (each joined its group and was shown). */
  asked(count: number): Promise<void>;
  now(): Date;
}

function stormInstanceId(n: number): string {
  return `i-0${n.toString(16).padStart(16, '0')}`;
}

/**
 * Seeds the sandbox with `size` instances, all in one Auto Scaling group (InService), each with its own
 * finding (a copy of the real one naming it), and deploys Cordon over it.
 */
export async function storm(
  size: number,
  settings: Record<string, unknown> = STORM_SETTINGS,
): Promise<Storm> {
  let clock = Date.parse('2026-11-28T10:00:00.000Z');
  const now = () => new Date(clock);
  const seeded = sandboxForEvent(loadEvent(STORM_EVENT), { autoScalingGroup: false }, { now });
  const { sandbox } = seeded;
  const instanceIds: string[] = [];
  const events: unknown[] = [];
  for (let n = 1; n <= size; n += 1) {
    const event = structuredClone(seeded.event) as {
      id: string;
      detail: { id: string; resource: { instanceDetails: { instanceId: string } } };
    };
    const instanceId = stormInstanceId(n);
    event.id = `storm-event-${n}`;
    event.detail.id = `5707${n.toString(16).padStart(28, '0')}`;
    event.detail.resource.instanceDetails.instanceId = instanceId;
    const received = intake(event);
    if (!received.accepted) throw new Error(`the storm's event ${n} is not an incident: ${received.reason}`);
    seedFromIncident(sandbox, received.incident, { autoScalingGroup: false });
    instanceIds.push(instanceId);
    events.push(event);
  }
  sandbox.autoScaling.addGroup({
    name: STORM_ASG,
    minSize: 1,
    maxSize: size * 2,
    desiredCapacity: size,
    instances: instanceIds.map((instanceId) => ({ instanceId, lifecycleState: 'InService' as const })),
  });
  const deployment = await LocalDeployment.create({
    sandbox,
    settings,
    authorizer: 'deployed-policies',
    now,
  });
  const approvals = await deployedApprovals(deployment, {
    now,
    // Time as concurrent waiters see it: each wakes `milliseconds` after it fell asleep; the clock is the
    // latest wake so far.
    sleep: async (milliseconds) => {
      const wake = clock + milliseconds;
      await new Promise((resolve) => setImmediate(resolve));
      clock = Math.max(clock, wake);
    },
  });
  deployment.approvals = approvals.responder;
  return {
    sandbox,
    deployment,
    approvals,
    instanceIds,
    events,
    now,
    async deliverAll() {
      const deliveries = await Promise.all(events.map((event) => deployment.deliver(event)));
      await deployment.settle();
      return { deliveries, executions: [...deployment.executions.values()] };
    },
    async asked(count) {
      for (let waited = 0; approvals.asked.length < count; waited += 10) {
        if (waited > 120_000)
          throw new Error(`only ${approvals.asked.length} of ${count} approvals were asked`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

/** Whether every network interface of an instance is in Cordon's isolation group, and nothing else. */
export function isolated(sandbox: Sandbox, instanceId: string): boolean {
  const ec2 = sandbox.ec2.snapshot();
  const enis = ec2.instances[instanceId]?.networkInterfaceIds ?? [];
  return (
    enis.length > 0 &&
    enis.every((eni) => {
      const groups = ec2.networkInterfaces[eni]?.groupIds ?? [];
      return (
        groups.length > 0 && groups.every((id) => ec2.securityGroups[id]?.groupName === 'cordon-isolation')
      );
    })
  );
}

/** The security groups of an instance's network interfaces, by interface (what isolation would change). */
export function interfaceGroups(sandbox: Sandbox, instanceId: string): Record<string, readonly string[]> {
  const ec2 = sandbox.ec2.snapshot();
  return Object.fromEntries(
    (ec2.instances[instanceId]?.networkInterfaceIds ?? []).map((eni) => [
      eni,
      ec2.networkInterfaces[eni]?.groupIds ?? [],
    ]),
  );
}

/** The group message (the first post) and the value of its button `actionId`, as Slack shows them now. */
export function groupButton(approvals: DeployedApprovals, actionId: string): { ts: string; value: string } {
  const ts = '1700000000.000001';
  for (const block of approvals.slack.messages().get(ts)?.blocks ?? []) {
    if (block.type !== 'actions') continue;
    const button = block.elements.find((element) => element.action_id === actionId);
    if (button !== undefined) return { ts, value: button.value };
  }
  throw new Error(`the group message has no ${actionId} button`);
}
