/**
 * The two-way proof: every call of every flow Cordon has — each playbook on real events, at home and in a
 * member account, approvals granted and refused, faults, the poller and threshold-sync — is allowed by the
 * policy infra deploys for the principal that makes it; and every action those policies grant is used by
 * some flow. A call that would be denied in AWS, or a grant nothing uses, fails this test.
 */

// biome-ignore-all lint/suspicious/noExplicitAny: the variants edit a parsed JSON event in place.
import { quarantineInstanceStatement, revokeOlderSessionsStatement } from '@cordon/core/actions/deny-policy';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEvent, loadEventWithAccount, loadFixture } from '../../../../test/support/events.ts';
import { loadDemoEvent, POSTURE_EVENTS } from '../../../../test/support/posture.ts';
import { deployedPrincipals } from '../../src/iam/principals.ts';
import { iamReport } from '../../src/iam/report.ts';
import { awsError } from '../../src/sandbox/errors.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import type { RecordedCall, ServiceModel } from '../../src/sandbox/types.ts';
import { type Flow, type FlowOptions, runFlow, runScheduledFunctions } from './flows.ts';

const EC2_EVENT = 'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json';
const IAM_EVENT = 'guardduty/eb-iam-toripcaller-custodian.json';
const ROOT_EVENT = 'guardduty/eb-pascalcase-root-credential-usage-placeholders.json';
const SAMPLES = { includeSampleFindings: true };
const AUTOMATIC = { ...SAMPLES, severity: { autoRemediateAt: 5, approvalAt: 4 } };

/** The first instance the seed made, with its VPC. */
function seededInstance(sandbox: Sandbox): { instanceId: string; vpcId: string; roleName?: string } {
  const state = sandbox.ec2.snapshot() as unknown as {
    instances: Record<string, { instanceId: string; vpcId: string }>;
  };
  const [instance] = Object.values(state.instances);
  if (instance === undefined) throw new Error('no instance seeded');
  return instance;
}

/** An isolation group left with an ingress rule: containment revokes it. */
function staleIsolationGroup(sandbox: Sandbox): void {
  const { vpcId } = seededInstance(sandbox);
  sandbox.ec2.addSecurityGroup({
    groupName: 'cordon-isolation',
    vpcId,
    ingress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    egress: [],
    tags: { 'cordon:managed': 'true' },
  });
}

/** The quarantine profile (and its role) for `replace`, and another instance's statement in cordon-deny. */
function quarantineProfileAndSharedRole(sandbox: Sandbox): void {
  sandbox.iam.addRole({ roleName: 'CordonQuarantine' }).addInstanceProfile({
    name: 'cordon-quarantine',
    roleName: 'CordonQuarantine',
  });
  const iamState = sandbox.iam.snapshot() as unknown as { roles: Record<string, unknown> };
  const appRole = Object.keys(iamState.roles).find((name) => name !== 'CordonQuarantine');
  if (appRole === undefined) throw new Error('no instance role seeded');
  const other = quarantineInstanceStatement(
    `arn:aws:ec2:${sandbox.account.region}:${sandbox.account.accountId}:instance/i-0fedcba9876543210`,
  );
  // Through the model's own command (seeding has no inline policies for an existing role).
  void sandbox.iam.commands.PutRolePolicy?.(
    {
      RoleName: appRole,
      PolicyName: 'cordon-deny',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [other] }),
    },
    sandbox.account.context,
  );
}

/**
 * Another incident's session deny already in cordon-deny on `principal`: credential-release then writes the
 * policy back without its own statement (Put*Policy) instead of deleting it (Delete*Policy).
 */
function anotherIncidentsDeny(kind: 'user' | 'role', name: string): (sandbox: Sandbox) => void {
  return (sandbox) => {
    if (kind === 'role' && sandbox.iam.snapshot().roles[name] === undefined)
      sandbox.iam.addRole({ roleName: name });
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        revokeOlderSessionsStatement('guardduty-an-earlier-incident', new Date('2026-11-01T00:00:00Z')),
      ],
    });
    const common = { PolicyName: 'cordon-deny', PolicyDocument: document };
    void (kind === 'user'
      ? sandbox.iam.commands.PutUserPolicy?.({ UserName: name, ...common }, sandbox.account.context)
      : sandbox.iam.commands.PutRolePolicy?.({ RoleName: name, ...common }, sandbox.account.context));
  };
}

/**
 * The allow-all step of an ENI succeeds, its cut is throttled (Step Functions retries), and the retry's cut
 * is refused for good: contain-instance then puts the ENI back on the groups the ledger recorded.
 */
function cutRefusedAfterRetry(sandbox: Sandbox): void {
  const ec2 = sandbox.account.model<ServiceModel>('EC2');
  const modify = ec2.commands.ModifyNetworkInterfaceAttribute;
  if (modify === undefined) throw new Error('EC2 model without ModifyNetworkInterfaceAttribute');
  let calls = 0;
  sandbox.account.register({
    ...ec2,
    service: 'EC2',
    snapshot: () => ec2.snapshot(),
    commands: {
      ...ec2.commands,
      ModifyNetworkInterfaceAttribute: (input, context) => {
        calls += 1;
        if (calls === 2) throw awsError('EC2', 'RequestLimitExceeded', 'Request limit exceeded.');
        if (calls === 3) throw awsError('EC2', 'InvalidParameterValue', 'refused for the test');
        return modify(input, context);
      },
    },
  });
}

/**
 * Variants of the real tor-caller finding for what no bundled event names: the same finding for a console
 * login, and for a role session (an `ASIA…` key of an `AssumedRole`), with a real-shaped principal id.
 */
function torCaller(change: (detail: Record<string, any>) => void): () => unknown {
  return () => {
    const event = loadEvent(IAM_EVENT) as { detail: Record<string, any> };
    change(event.detail);
    return event;
  };
}

interface FlowCase {
  readonly name: string;
  readonly event: () => unknown;
  readonly options: FlowOptions;
  /** Playbooks run afterwards on the same incident. */
  readonly afterwards?: readonly ('ec2-release' | 'remediation-release' | 'credential-release')[];
}

const CASES: readonly FlowCase[] = [
  {
    name: 'ec2-compromise, automatic, an isolation group to repair, a classic load balancer; then ec2-release',
    event: () => loadEvent(EC2_EVENT),
    options: { settings: AUTOMATIC, seed: { classicLoadBalancer: true }, prepare: staleIsolationGroup },
    afterwards: ['ec2-release'],
  },
  {
    name: 'ec2-compromise replacing the profile with the quarantine profile; then ec2-release',
    event: () => loadEvent(EC2_EVENT),
    options: {
      settings: {
        ...SAMPLES,
        instanceProfileQuarantine: 'replace',
        quarantineInstanceProfileName: 'cordon-quarantine',
      },
      prepare: quarantineProfileAndSharedRole,
    },
    afterwards: ['ec2-release'],
  },
  {
    name: 'ec2-compromise whose approval is refused',
    event: () => loadEvent(EC2_EVENT),
    options: { settings: SAMPLES, approvals: 'reject' },
  },
  {
    name: 'ec2-compromise whose cut is refused after a retry',
    event: () => loadEvent(EC2_EVENT),
    options: { settings: AUTOMATIC, prepare: cutRefusedAfterRetry },
  },
  {
    name: 'credential-compromise: an IAM user key used from Tor; then credential-release',
    event: () => loadEvent(IAM_EVENT),
    options: { settings: SAMPLES },
    afterwards: ['credential-release'],
  },
  {
    name: "credential-compromise next to another incident's session deny; then credential-release",
    event: () => loadEvent(IAM_EVENT),
    options: { settings: SAMPLES, prepare: anotherIncidentsDeny('user', 'GeneratedFindingUserName') },
    afterwards: ['credential-release'],
  },
  {
    name: 'credential-compromise: a console login from Tor, the user named with its id',
    event: torCaller((detail) => {
      detail.service.action.awsApiCallAction.api = 'ConsoleLogin';
      detail.resource.accessKeyDetails.principalId = 'AIDAJQABLZS4A3QDU576Q';
    }),
    options: { settings: SAMPLES },
  },
  {
    name: 'credential-compromise: a role session used from Tor',
    event: torCaller((detail) => {
      detail.resource.accessKeyDetails = {
        userName: 'app-role',
        userType: 'AssumedRole',
        principalId: 'AROAJQABLZS4A3QDU576Q:session',
        accessKeyId: 'ASIAJQABLZS4A3QDU576',
      };
    }),
    options: { settings: SAMPLES },
    afterwards: ['credential-release'],
  },
  {
    name: "credential-compromise: a role session next to another incident's session deny; then credential-release",
    event: torCaller((detail) => {
      detail.resource.accessKeyDetails = {
        userName: 'app-role',
        userType: 'AssumedRole',
        principalId: 'AROAJQABLZS4A3QDU576Q:session',
        accessKeyId: 'ASIAJQABLZS4A3QDU576',
      };
    }),
    options: { settings: SAMPLES, prepare: anotherIncidentsDeny('role', 'app-role') },
    afterwards: ['credential-release'],
  },
  {
    name: 'stale-credentials: access-keys-rotated names a user by id',
    event: () => loadFixture('config-access-keys-rotated-noncompliant.json'),
    options: {},
  },
  // The sample's account is the 13-digit placeholder, which intake refuses: given a real one.
  { name: 'root-activity', event: () => loadEventWithAccount(ROOT_EVENT), options: { settings: SAMPLES } },
  // The posture remediations, each on a Config result under a conformance pack or Security Hub name, then
  // released (a revoked rule that had tags comes back with them: tagging on create).
  ...Object.entries(POSTURE_EVENTS).map(
    ([rule, file]): FlowCase => ({
      name: `${rule}: the fix, then remediation-release`,
      event: () => loadDemoEvent(file),
      options: {},
      afterwards: ['remediation-release'],
    }),
  ),
  // --- S3 ---
  // A bucket with no policy at all: the fix writes one, and the release deletes it (s3:DeleteBucketPolicy).
  {
    name: 'S3_BUCKET_SSL_REQUESTS_ONLY on a bucket without a policy: the fix, then remediation-release',
    event: () => loadDemoEvent(POSTURE_EVENTS.S3_BUCKET_SSL_REQUESTS_ONLY),
    options: {
      prepare: (sandbox) =>
        void sandbox.s3.commands.DeleteBucketPolicy?.(
          { Bucket: 'amzn-s3-demo-bucket-data' },
          sandbox.account.context,
        ),
    },
    afterwards: ['remediation-release'],
  },
  // --- end S3 ---
  // --- identity posture ---
  // An account with no password policy at all: the fix creates one, and the release deletes it
  // (iam:DeleteAccountPasswordPolicy).
  {
    name: 'IAM_PASSWORD_POLICY on an account without a policy: the fix, then remediation-release',
    event: () => loadDemoEvent(POSTURE_EVENTS.IAM_PASSWORD_POLICY),
    options: {
      prepare: (sandbox) =>
        void sandbox.iam.commands.DeleteAccountPasswordPolicy?.({}, sandbox.account.context),
    },
    afterwards: ['remediation-release'],
  },
  // --- end identity posture ---
  // --- RDS ---
  // The rule judges DB cluster snapshots too: their own calls (Describe/ModifyDBClusterSnapshotAttribute).
  {
    name: 'RDS_SNAPSHOTS_PUBLIC_PROHIBITED on a DB cluster snapshot: the fix, then remediation-release',
    event: () =>
      loadDemoEvent('config-rds-snapshots-public-prohibited-securityhub-cluster-noncompliant.json'),
    options: {},
    afterwards: ['remediation-release'],
  },
  // --- end RDS ---
];

const flows: Flow[] = [];

async function record(flow: Flow, afterwards: FlowCase['afterwards'] = []): Promise<Flow> {
  for (const playbook of afterwards) {
    const report = await flow.run(playbook);
    expect(report.status, `${playbook}: ${report.error ?? ''} ${report.cause ?? ''}`).toBe('SUCCEEDED');
  }
  flows.push(flow);
  return flow;
}

afterAll(() => {
  for (const flow of flows) flow.harness.close();
});

describe.each([
  ['at home', false],
  ['in a member account', true],
] as const)('every flow %s', (_where, member) => {
  it.each(CASES)('$name: every call is allowed', async (flowCase) => {
    const flow = await record(
      await runFlow(flowCase.event(), {
        ...flowCase.options,
        member,
        findings: [(loadEvent(EC2_EVENT) as { detail: unknown }).detail],
      }),
      flowCase.afterwards,
    );
    if (flowCase.name === CASES[0]?.name) await runScheduledFunctions(flow.harness);
    const denied = flow.harness.sandbox.account.calls.filter((call) => call.iam === 'denied');

    expect(
      denied.map((call) => `${call.principal} ${call.service}.${call.command}`),
      JSON.stringify(
        flow.harness.authorizer.evaluations
          .filter((each) => each.decision === 'denied')
          .map((each) => each.requests),
      ),
    ).toEqual([]);
    expect(flow.execution).toBeDefined();
  });
});

describe('the union of every flow', () => {
  it('uses every action every deployed role is granted (nothing granted that Cordon does not use)', async () => {
    const member = flows.find((flow) => flow.harness.member);
    expect(member, 'the member-account flows ran').toBeDefined();
    const { deployment, sandbox } = (member as Flow).harness;
    const calls: RecordedCall[] = flows.flatMap((flow) => flow.harness.sandbox.account.calls);
    const report = await iamReport(calls, {
      principals: deployedPrincipals(deployment, [sandbox.account.accountId]).values(),
      evaluations: flows.flatMap((flow) => flow.harness.authorizer.evaluations),
      scope: 'all',
    });

    expect(report.denied).toEqual([]);
    expect(report.unevaluated).toEqual([]);
    expect(report.unused).toEqual([]);
  });
});
