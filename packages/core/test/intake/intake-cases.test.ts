/**
 * The intake cases of issue 12, judged against real events: each `describe` is one case, on a bundled real
 * sample (packages/cli/events, verbatim) or on a variant derived from one in code, with the fields that
 * change named by GuardDuty's finding format (GetFindings response syntax,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetFindings.html).
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, realClients } from '../../../../test/support/actions.ts';
import { loadEvent, loadFixture } from '../../../../test/support/events.ts';
import {
  alarmEvent,
  complianceChange,
  dnsRebindEvent,
  IMAGE,
  LONG_TERM_KEY,
  malwareFinding,
  SCAN_ID,
  s3CallerFinding,
  TASK_ARN,
  THREAT,
  VOLUME_ARN,
} from '../../../../test/support/intake-cases.ts';
import { notify } from '../../src/actions/notify.ts';
import { runAction } from '../../src/actions/run-action.ts';
import type { GenericResource, Incident, Resource } from '../../src/intake/incident.ts';
import { intake } from '../../src/intake/intake.ts';
import type { IntakeResult } from '../../src/intake/result.ts';
import { decide } from '../../src/policy/decision.ts';
import { parseSettings, type Settings } from '../../src/policy/settings.ts';
import { buildExecutionInput } from '../../src/triage/execution-input.ts';

type Json = Record<string, unknown>;

function settings(overrides: Json = {}): Settings {
  const result = parseSettings(overrides);
  if (!result.ok) throw new Error(result.reason);
  return result.settings;
}

function accepted(result: IntakeResult): Incident {
  if (!result.accepted) throw new Error(`expected the event to be accepted, got: ${result.reason}`);
  return result.incident;
}

function rejection(result: IntakeResult): { recognised: string; reason: string } {
  if (result.accepted) throw new Error(`expected a rejection, got incident ${result.incident.id}`);
  return { recognised: result.recognised, reason: result.reason };
}

const SAMPLES_INCLUDED = { includeSampleFindings: true } as const;

// ── An IAM user's key calling S3 from a malicious IP or Tor ───────────────────────────────────────────────────

const S3_THREAT_INTEL_TYPES = [
  'Impact:S3/MaliciousIPCaller',
  'Discovery:S3/TorIPCaller',
  'Discovery:S3/MaliciousIPCaller',
  'Discovery:S3/MaliciousIPCaller.Custom',
  'Exfiltration:S3/MaliciousIPCaller',
  'UnauthorizedAccess:S3/MaliciousIPCaller.Custom',
  'UnauthorizedAccess:S3/TorIPCaller',
];

describe("case: an IAM user's long-term key calls S3 from a malicious IP or Tor", () => {
  it.each(S3_THREAT_INTEL_TYPES)('%s: the key is compromised, the bucket only affected', (type) => {
    const incident = accepted(intake(s3CallerFinding(type)));
    expect(incident.category).toBe('credential-compromise');
    expect(incident.facts).toMatchObject({
      findingFamily: 's3-threat-intel-caller-credentials',
      requiresApproval: true,
    });
    expect(incident.resources.find((resource) => resource.kind === 'access-key')).toMatchObject({
      role: 'compromised',
      accessKeyId: LONG_TERM_KEY,
      keyType: 'long-term',
    });
    expect(incident.resources.find((resource) => resource.kind === 'aws-resource')).toMatchObject({
      resourceType: 'AWS::S3::Bucket',
      role: 'affected',
    });
  });

  it.each(S3_THREAT_INTEL_TYPES)(
    '%s: offers the credential playbook of UnauthorizedAccess:IAMUser/MaliciousIPCaller, with approval',
    (type) => {
      const s3 = decide(accepted(intake(s3CallerFinding(type))), settings(SAMPLES_INCLUDED));
      const iam = decide(
        accepted(
          intake(
            s3CallerFinding('UnauthorizedAccess:IAMUser/MaliciousIPCaller', { resourceType: 'AccessKey' }),
          ),
        ),
        settings(SAMPLES_INCLUDED),
      );
      // The same playbook and changes as the IAM finding; the S3 one always asks first.
      expect(s3).toMatchObject({ action: 'remediate', playbook: iam.playbook, approval: 'required' });
      expect(s3.steps).toEqual(['request-approval', ...iam.steps]);
      expect(s3.steps).toEqual(['request-approval', 'deactivate-access-key', 'revoke-sessions', 'notify']);
      expect(s3.targets).toEqual([
        expect.objectContaining({ kind: 'access-key', accessKeyId: LONG_TERM_KEY }),
      ]);
    },
  );

  it('asks for approval even at a severity that would act alone, and a timeout rejects', () => {
    const incident = accepted(intake(s3CallerFinding('Impact:S3/MaliciousIPCaller', { severity: 8 })));
    const current = settings(SAMPLES_INCLUDED);
    const decision = decide(incident, current);
    expect(decision.approval).toBe('required');
    expect(decision.reason).toContain('never acted on without approval');
    expect(buildExecutionInput(incident, decision, current, 'v1').approval).toMatchObject({
      required: true,
      timeoutDefault: 'reject',
    });
  });

  it('reads the management-event form (resourceType AccessKey) the same way', () => {
    const incident = accepted(
      intake(s3CallerFinding('Discovery:S3/TorIPCaller', { resourceType: 'AccessKey', severity: 5 })),
    );
    expect(incident.resources[0]).toMatchObject({ kind: 'access-key', role: 'compromised' });
    expect(decide(incident, settings(SAMPLES_INCLUDED))).toMatchObject({
      playbook: 'credential-compromise',
      approval: 'required',
    });
  });

  it("treats a role session's credentials alike: its sessions are denied, after approval", () => {
    const incident = accepted(
      intake(s3CallerFinding('UnauthorizedAccess:S3/TorIPCaller', { userType: 'AssumedRole' })),
    );
    expect(decide(incident, settings(SAMPLES_INCLUDED))).toMatchObject({
      action: 'remediate',
      playbook: 'credential-compromise',
      approval: 'required',
      steps: ['request-approval', 'revoke-sessions', 'notify'],
    });
  });

  it('leaves a caller that is no principal of the account (another account) a data threat, notified', () => {
    const incident = accepted(
      intake(s3CallerFinding('Discovery:S3/TorIPCaller', { userType: 'AWSAccount' })),
    );
    expect(incident.category).toBe('data-threat');
    expect(incident.resources.find((resource) => resource.kind === 'access-key')?.role).toBe('actor');
    expect(decide(incident, settings(SAMPLES_INCLUDED))).toMatchObject({
      action: 'notify',
      playbook: 'notify-only',
    });
  });

  it('still escalates the root user as root activity, never as a key to deactivate', () => {
    const incident = accepted(intake(s3CallerFinding('Impact:S3/MaliciousIPCaller', { userType: 'Root' })));
    expect(incident.category).toBe('root-activity');
    expect(decide(incident, settings(SAMPLES_INCLUDED)).playbook).toBe('root-activity');
  });
});

// ── Malware Protection for containers and ECS ───────────────────────────────────────────────────────────────

function ofType(resources: readonly Resource[], resourceType: string): GenericResource[] {
  return resources.filter(
    (resource): resource is GenericResource =>
      resource.kind === 'aws-resource' && resource.resourceType === resourceType,
  );
}

describe('case: Malware Protection findings for ECS and containers keep the task, container, image and volume', () => {
  it('keeps the ECS task ARN, each container with its image, the cluster and the scanned volume', () => {
    const incident = accepted(intake(malwareFinding('ecs')));
    expect(incident.category).toBe('container-threat');
    expect(ofType(incident.resources, 'AWS::ECS::Task')).toEqual([
      {
        kind: 'aws-resource',
        role: 'compromised',
        resourceType: 'AWS::ECS::Task',
        resourceId: TASK_ARN,
        details: {
          taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/payments-api:42',
          launchType: 'EC2',
          cluster: 'payments',
        },
      },
    ]);
    expect(
      ofType(incident.resources, 'Container').map((resource) => [
        resource.resourceId,
        resource.details?.image,
      ]),
    ).toEqual([
      ['api', IMAGE],
      ['log-router', 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0'],
    ]);
    expect(ofType(incident.resources, 'Container')[0]?.details).toMatchObject({
      task: TASK_ARN,
      containerRuntime: 'containerd',
    });
    expect(ofType(incident.resources, 'AWS::ECS::Cluster')).toEqual([
      expect.objectContaining({ resourceId: 'payments', role: 'affected' }),
    ]);
    expect(ofType(incident.resources, 'AWS::EC2::Volume')).toEqual([
      {
        kind: 'aws-resource',
        role: 'affected',
        resourceType: 'AWS::EC2::Volume',
        resourceId: VOLUME_ARN,
        details: expect.objectContaining({
          deviceName: '/dev/xvda',
          volumeSizeInGB: '30',
          scanId: SCAN_ID,
          threats: THREAT,
          files: expect.stringContaining('eicar.com'),
        }),
      },
    ]);
    // The host is named, never contained for a finding about its task.
    expect(incident.resources.find((resource) => resource.kind === 'ec2-instance')?.role).toBe('related');
    // The task comes first: it is what a notification headlines.
    expect(incident.resources[0]).toMatchObject({ resourceType: 'AWS::ECS::Task', resourceId: TASK_ARN });
  });

  it('keeps a standalone container with its image and the scanned volume', () => {
    const incident = accepted(intake(malwareFinding('container')));
    expect(ofType(incident.resources, 'Container')).toEqual([
      expect.objectContaining({
        role: 'compromised',
        resourceId: 'worker',
        details: expect.objectContaining({ image: IMAGE }),
      }),
    ]);
    expect(ofType(incident.resources, 'AWS::EC2::Volume')[0]?.resourceId).toBe(VOLUME_ARN);
  });

  describe('the notification carries them', () => {
    const clients = realClients();
    const sns = mockClient(clients.sns);
    beforeEach(() => {
      sns.reset();
      sns.on(PublishCommand).resolves({ MessageId: '6a1c2f4e-0000-4000-8000-000000000001' });
    });

    it('publishes the task ARN, the image and the scanned volume in the SNS message', async () => {
      const incident = accepted(intake(malwareFinding('ecs')));
      const current = settings(SAMPLES_INCLUDED);
      const decision = decide(incident, current);
      expect(decision).toMatchObject({ action: 'notify', playbook: 'notify-only' });
      const input = buildExecutionInput(incident, decision, current, 'v1');
      const environment = {
        ...actionEnvironment(clients),
        notifications: { snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:cordon-alerts' },
      };

      await runAction(
        notify,
        {
          incidentId: incident.id,
          account: incident.account,
          region: incident.region,
          dryRun: false,
          event: 'decided',
          playbook: 'notify-only',
          incident: input.incident,
          message: decision.reason,
        },
        environment,
      );

      const [call] = sns.commandCalls(PublishCommand);
      const message = String(call?.args[0].input.Message);
      expect(message).toContain(TASK_ARN);
      expect(message).toContain(IMAGE);
      expect(message).toContain(VOLUME_ARN);
      expect(message).toContain(SCAN_ID);
      // The subject names the task (the incident's first resource).
      expect(String(call?.args[0].input.Subject)).toContain('arn:aws:ecs:us-east-1:123456789012:task');
    });
  });
});

// ── UnauthorizedAccess:EC2/MetadataDNSRebind ───────────────────────────────────────────────────────────────

describe('case: UnauthorizedAccess:EC2/MetadataDNSRebind is never contained automatically', () => {
  it('offers containment with approval at its default High severity, and a timeout rejects', () => {
    const incident = accepted(intake(dnsRebindEvent()));
    expect(incident.facts).toMatchObject({
      findingFamily: 'ec2-metadata-dns-rebind',
      requiresApproval: true,
    });
    const current = settings(SAMPLES_INCLUDED);
    const decision = decide(incident, current);
    expect(decision).toMatchObject({ action: 'remediate', playbook: 'ec2-compromise', approval: 'required' });
    expect(decision.steps[0]).toBe('request-approval');
    expect(buildExecutionInput(incident, decision, current, 'v1').approval.timeoutDefault).toBe('reject');
  });

  it.each([8, 10])(
    'asks for approval at severity %d even when the settings act automatically from 1',
    (score) => {
      const decision = decide(
        accepted(intake(dnsRebindEvent(score))),
        settings({ ...SAMPLES_INCLUDED, severity: { autoRemediateAt: 1, approvalAt: 1 } }),
      );
      expect(decision.approval).toBe('required');
    },
  );

  it('leaves a C&C finding on the same instance automatic (the rail is the finding type, not the instance)', () => {
    const event = dnsRebindEvent();
    (event.detail as Json).type = 'Backdoor:EC2/C&CActivity.B!DNS';
    expect(decide(accepted(intake(event)), settings(SAMPLES_INCLUDED)).approval).toBe('auto');
  });
});

// ── Config rules nobody mapped ──────────────────────────────────────────────────────────────────────────────

describe('case: an unmapped Config rule is low and does not page', () => {
  it('records a NON_COMPLIANT result of a rule nobody mapped or rated, low, without notifying', () => {
    const incident = accepted(intake(complianceChange('required-tags')));
    expect(incident.severity).toEqual({ score: 3, label: 'low' });
    expect(incident.facts).toMatchObject({ severityDeclaredBy: 'undeclared' });
    const decision = decide(incident, settings());
    expect(decision).toMatchObject({ action: 'ignore', playbook: null });
    expect(decision.reason).toContain('recorded, not notified');
  });

  it('pages s3-bucket-public-read-prohibited at its declared severity (Security Hub S3.2: Critical)', () => {
    for (const rule of [
      's3-bucket-public-read-prohibited',
      's3-bucket-public-read-prohibited-conformance-pack-a1b2c3d4e',
    ]) {
      const incident = accepted(intake(complianceChange(rule)));
      expect(incident.severity, rule).toEqual({ score: 9, label: 'critical' });
      // Routed since issue 14 (P4): Block Public Access on the bucket, after an approval.
      expect(decide(incident, settings()), rule).toMatchObject({
        action: 'remediate',
        playbook: 's3-bucket-public-access',
      });
    }
  });

  it('keeps the stale-credentials rules medium and routed to their playbook', () => {
    const incident = accepted(intake(loadFixture('config-access-keys-rotated-noncompliant.json')));
    expect(incident.severity.label).toBe('medium');
    expect(incident.facts).toMatchObject({ severityDeclaredBy: 'playbook' });
    expect(decide(incident, settings()).playbook).toBe('stale-credentials');
  });

  it('notifies about a rule the security team mapped, whatever its severity', () => {
    const incident = accepted(intake(complianceChange('required-tags')));
    const mapped = settings({
      configRulePlaybooks: { 'required-tags': { playbook: 'notify-only', approval: 'auto' } },
    });
    expect(decide(incident, mapped)).toMatchObject({ action: 'notify', playbook: 'notify-only' });
  });

  it('never reads a rule named like an Object.prototype member as mapped', () => {
    for (const rule of ['constructor', 'toString', '__proto__']) {
      const incident = accepted(intake(complianceChange(rule)));
      expect(decide(incident, settings()).action, rule).toBe('ignore');
    }
  });
});

// ── Named rejections for what lost its envelope ─────────────────────────────────────────────────────────────

describe('case: a bare GuardDuty finding under detail, and bodies of SNS notifications, get named rejections', () => {
  it('names a GuardDuty finding under `detail` with no envelope, and says what Cordon takes', () => {
    const event = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');
    const result = rejection(intake({ detail: event.detail }));
    expect(result.recognised).toBe('guardduty-finding-without-envelope');
    expect(result.reason).toContain('Backdoor:EC2/C&CActivity.B!DNS');
    expect(result.reason).toContain('no `source` or `detail-type`');
    expect(result.reason).toContain('"detail-type": "GuardDuty Finding"');
    expect(result.reason).toContain('the bare finding itself');
  });

  it('names an envelope that lost only its detail-type', () => {
    const event = loadEvent('guardduty/eb-iam-toripcaller-custodian.json');
    delete event['detail-type'];
    const result = rejection(intake(event));
    expect(result.recognised).toBe('guardduty-finding-without-envelope');
    expect(result.reason).toContain('no `detail-type`');
  });

  it("names the body of a CloudWatch alarm's SNS notification and points at EventBridge", () => {
    const notification = loadEvent<{ Records: Array<{ Sns: { Message: string } }> }>(
      'cloudwatch/sns-alarm-notification-single-metric-rust-runtime.json',
    );
    const body: unknown = JSON.parse(notification.Records[0]?.Sns.Message ?? '{}');
    const result = rejection(intake(body));
    expect(result.recognised).toBe('cloudwatch-alarm-sns-message');
    expect(result.reason).toContain('alarm EXAMPLE, INSUFFICIENT_DATA → ALARM');
    expect(result.reason).toContain('CloudWatch Alarm State Change');
  });

  it('names the body of an AWS Config SNS notification', () => {
    const notification = loadEvent<{ Message: unknown }>(
      'config/sns-compliance-change-notification-docs.json',
    );
    const result = rejection(intake(notification.Message));
    expect(result.recognised).toBe('config-sns-message');
    expect(result.reason).toContain('cloudtrail-enabled');
    expect(result.reason).toContain('Config Rules Compliance Change');
  });

  it('still accepts the bare finding itself (the poller hands it over)', () => {
    const event = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');
    expect(intake(event.detail)).toMatchObject({ accepted: true, recognised: 'guardduty-finding' });
  });
});

// ── Alarm names ─────────────────────────────────────────────────────────────────────────────────────────────

describe('case: alarm playbooks match common real alarm names deliberately', () => {
  it.each([
    ['CIS-1.7-RootAccountUsage', 'root-activity'],
    ['root_usage_alarm', 'root-activity'],
    ['cis-3.3-root-account-usage', 'root-activity'],
    ['CIS-3.1-UnauthorizedAPICalls', 'notify-only'],
    ['unauthorized-api-calls-alarm', 'notify-only'],
    ['CIS-3.6-ConsoleSigninFailures', 'notify-only'],
  ])('maps %s to %s under the default settings', (name, playbook) => {
    const decision = decide(accepted(intake(alarmEvent(name))), settings());
    expect(decision).toMatchObject({ action: 'notify', playbook });
    expect(decision.reason).toContain('stands for the same alarm');
  });

  it('makes CIS-1.7-RootAccountUsage root activity, critical, and says how it read the name', () => {
    const incident = accepted(intake(alarmEvent('CIS-1.7-RootAccountUsage')));
    expect(incident).toMatchObject({ category: 'root-activity', severity: { label: 'critical' } });
    expect(incident.facts).toMatchObject({ knownAlarm: 'RootAccountUsage' });
    expect(incident.notes.join(' ')).toContain("Cordon's RootAccountUsage detection");
  });

  it.each(['RootVolumeUsageHigh', 'NonRootAccountUsage', 'UnauthorizedAPICallsDaily', 'ServerCpuTooHigh'])(
    'lets no unrelated alarm (%s) match',
    (name) => {
      expect(decide(accepted(intake(alarmEvent(name))), settings()).action).toBe('ignore');
    },
  );

  it('matches a team alarm by its words, never a neighbour that differs in one', () => {
    const mapped = settings({ alarmPlaybooks: { Http4xxErrors: 'notify-only' } });
    expect(decide(accepted(intake(alarmEvent('http-4xx-errors'))), mapped).action).toBe('notify');
    expect(decide(accepted(intake(alarmEvent('Http5xxErrors'))), mapped).action).toBe('ignore');
  });

  it('prefers the exact key, then the first key in sort order, and names the others', () => {
    const mapped = settings({
      alarmPlaybooks: { 'root-account-usage': 'notify-only', RootAccountUsage: 'root-activity' },
    });
    expect(decide(accepted(intake(alarmEvent('RootAccountUsage'))), mapped).playbook).toBe('root-activity');
    const byName = decide(accepted(intake(alarmEvent('CIS-1.7-RootAccountUsage'))), mapped);
    expect(byName.playbook).toBe('root-activity');
    expect(byName.reason).toContain('also root-account-usage');
  });

  it('reads alarms named like Object.prototype members as ordinary names', () => {
    expect(decide(accepted(intake(alarmEvent('constructor'))), settings()).action).toBe('ignore');
    const mapped = settings({ alarmPlaybooks: { constructor: 'notify-only' } });
    expect(decide(accepted(intake(alarmEvent('constructor'))), mapped).playbook).toBe('notify-only');
  });
});

// ── Account ids are 12 digits ───────────────────────────────────────────────────────────────────────────────

const THIRTEEN = '1234567891234';

describe('case: an account id that is not 12 digits never names an incident', () => {
  it('rejects the published PascalCase sample whose AccountId has 13 digits, naming the field', () => {
    const result = rejection(intake(loadEvent('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json')));
    expect(result.recognised).toBe('guardduty-finding');
    expect(result.reason).toBe(
      `detail.AccountId "${THIRTEEN}" is not an AWS account id: account ids are exactly 12 digits.`,
    );
  });

  it.each([
    [
      'a GuardDuty event',
      'detail.accountId',
      () => {
        const event = loadEvent('guardduty/eb-iam-toripcaller-custodian.json');
        (event.detail as Json).accountId = THIRTEEN;
        return event;
      },
    ],
    [
      'the envelope of a GuardDuty event',
      'account',
      () => {
        const event = loadEvent('guardduty/eb-iam-toripcaller-custodian.json');
        event.account = THIRTEEN;
        return event;
      },
    ],
    [
      'a raw finding',
      'accountId',
      () => {
        const finding = loadEvent('guardduty/raw-iam-recon-maliciousipcaller-custom.json');
        finding.accountId = THIRTEEN;
        return finding;
      },
    ],
    [
      'an alarm state change',
      'account',
      () => {
        const event = loadEvent('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
        event.account = THIRTEEN;
        return event;
      },
    ],
    [
      'a Config result',
      'detail.awsAccountId',
      () => {
        const event = loadFixture<Json>('config-access-keys-rotated-noncompliant.json');
        (event.detail as Json).awsAccountId = THIRTEEN;
        return event;
      },
    ],
    [
      'the envelope of a Config result',
      'account',
      () => {
        const event = loadFixture<Json>('config-access-keys-rotated-noncompliant.json');
        event.account = '12345678901';
        return event;
      },
    ],
  ])('rejects %s, naming %s', (_what, field, make) => {
    const result = rejection(intake(make()));
    expect(result.reason).toMatch(
      new RegExp(`^${field.replace('.', '\\.')} "\\d+" is not an AWS account id`),
    );
  });

  it.each(['12345678901a', ' 123456789012', '１２３４５６７８９０１２'])('rejects %j', (account) => {
    const finding = loadEvent('guardduty/raw-iam-recon-maliciousipcaller-custom.json');
    finding.accountId = account;
    expect(rejection(intake(finding)).reason).toContain('exactly 12 digits');
  });

  it('accepts an account id with leading zeros', () => {
    const finding = loadEvent('guardduty/raw-iam-recon-maliciousipcaller-custom.json');
    finding.accountId = '012345678901';
    expect(accepted(intake(finding)).id).toMatch(/^guardduty-012345678901-/);
  });
});
