import { describe, expect, it } from 'vitest';
import {
  loadEvent,
  loadEventText,
  loadEventWithAccount,
  loadFixture,
} from '../../../../test/support/events.ts';
import type { Incident } from '../../src/intake/incident.ts';
import { intake, intakeText } from '../../src/intake/intake.ts';
import type { IntakeResult } from '../../src/intake/result.ts';

type Json = Record<string, unknown>;

function acceptedIncident(result: IntakeResult): Incident {
  if (!result.accepted) throw new Error(`expected the event to be accepted, got: ${result.reason}`);
  return result.incident;
}

function detailOf(event: Json): Json {
  return event.detail as Json;
}

describe('intake: GuardDuty', () => {
  it('normalizes a GuardDuty EventBridge event and the same raw finding to the same incident', () => {
    const event = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');
    const fromEventBridge = acceptedIncident(intake(event));
    const fromPoller = acceptedIncident(
      intake(detailOf(loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json'))),
    );
    expect(fromPoller.id).toBe(fromEventBridge.id);
    expect(fromPoller.resources).toEqual(fromEventBridge.resources);
    expect(fromPoller.category).toBe(fromEventBridge.category);
    expect(fromEventBridge.facts).toMatchObject({ source: 'guardduty', shape: 'eventbridge' });
    expect(fromPoller.facts).toMatchObject({ source: 'guardduty', shape: 'raw' });
  });

  it('dedups on account + region + finding id, never on the EventBridge event id', () => {
    const first = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');
    const redelivered = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');
    redelivered.id = '11111111-2222-3333-4444-555555555555';
    redelivered.time = '2026-11-28T10:00:00Z';
    expect(acceptedIncident(intake(redelivered)).id).toBe(acceptedIncident(intake(first)).id);
  });

  it('keeps the incident id of a re-published finding, with its growing count and new updatedAt', () => {
    const original = acceptedIncident(
      intake(loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json')),
    );
    const republished = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');
    const detail = detailOf(republished);
    (detail.service as Json).count = 7;
    detail.updatedAt = '2026-11-28T09:45:00.000Z';
    const incident = acceptedIncident(intake(republished));
    expect(incident.id).toBe(original.id);
    expect(incident.count).toBe(7);
    expect(incident.updatedAt).toBe('2026-11-28T09:45:00.000Z');
    expect(original.count).toBe(1);
  });

  it('takes the account from the finding, not the envelope, for a delegated administrator', () => {
    const incident = acceptedIncident(intake(loadEvent('guardduty/eb-iam-toripcaller-custodian.json')));
    expect(incident.account).toBe('883606788610');
    expect(incident.id).toBe(
      'guardduty-883606788610-us-east-1-' +
        detailOf(loadEvent('guardduty/eb-iam-toripcaller-custodian.json')).id,
    );
    expect(incident.notes.join(' ')).toContain('101010101111');
  });

  it('flags sample findings in the boolean form and in the Type/Value form', () => {
    expect(
      acceptedIncident(intake(loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json')))
        .sample,
    ).toBe(true);
    expect(
      acceptedIncident(intake(loadEventWithAccount('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json')))
        .sample,
    ).toBe(true);
    expect(
      acceptedIncident(intake(loadEvent('guardduty/raw-iam-recon-maliciousipcaller-custom.json'))).sample,
    ).toBe(true);
    expect(
      acceptedIncident(
        intake(loadEvent('guardduty/raw-iam-privesc-administrative-permissions-no-resource-panther.json')),
      ).sample,
    ).toBe(false);
  });

  it('normalizes a PascalCase finding on purpose and finds its resources', () => {
    const incident = acceptedIncident(
      intake(loadEventWithAccount('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json')),
    );
    expect(incident.facts).toMatchObject({ shape: 'eventbridge-pascalcase', connectionDirection: 'INBOUND' });
    expect(incident.notes.join(' ')).toMatch(/PascalCase/);
    const instance = incident.resources.find((resource) => resource.kind === 'ec2-instance');
    expect(instance).toMatchObject({ instanceId: 'i-99999999' });
    if (instance?.kind !== 'ec2-instance') throw new Error('no instance');
    expect(instance.networkInterfaces.map((eni) => eni.networkInterfaceId)).toHaveLength(4);
    expect(instance.networkInterfaces[0]?.securityGroups).toHaveLength(4);
  });

  it('makes an instance that receives an inbound brute force a victim, never compromised', () => {
    const incident = acceptedIncident(
      intake(loadEventWithAccount('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json')),
    );
    expect(incident.category).toBe('instance-exposed');
    expect(incident.resources.find((resource) => resource.kind === 'ec2-instance')?.role).toBe('victim');
  });

  it('does not make an instance compromised because an access-key finding carries its details', () => {
    const incident = acceptedIncident(
      intake(loadEventWithAccount('guardduty/eb-pascalcase-iam-credentialaccess-anomalous-4-enis.json')),
    );
    expect(incident.category).toBe('credential-compromise');
    expect(incident.resources.find((resource) => resource.kind === 'ec2-instance')?.role).toBe('related');
    expect(incident.resources[0]).toMatchObject({ kind: 'access-key', role: 'compromised' });
  });

  it('reads an ASIA key as temporary and root as root activity', () => {
    const incident = acceptedIncident(
      intake(loadEventWithAccount('guardduty/eb-pascalcase-root-credential-usage-placeholders.json')),
    );
    expect(incident.category).toBe('root-activity');
    expect(incident.resources[0]).toMatchObject({
      kind: 'access-key',
      keyType: 'temporary',
      userType: 'Root',
    });
    expect(incident.region).toBe('us-east-1');
    expect(incident.count).toBe(1);
  });

  it('keeps an attack sequence, critical, with Panther-style timestamps read', () => {
    const incident = acceptedIncident(
      intake(loadEvent('guardduty/raw-attacksequence-iam-compromised-credentials-panther.json')),
    );
    expect(incident.severity).toEqual({ score: 9, label: 'critical' });
    expect(incident.updatedAt).toBe('2025-02-25T20:40:06.721Z');
    expect(incident.observedAt).toBe('2025-02-25T20:40:06.000Z');
  });

  it('accepts a finding with no resource object and lists no resource', () => {
    const incident = acceptedIncident(
      intake(loadEvent('guardduty/raw-iam-privesc-administrative-permissions-no-resource-panther.json')),
    );
    expect(incident.resources).toEqual([]);
    expect(incident.category).toBe('credential-compromise');
  });

  it('rejects a finding whose severity is not a number, naming the field', () => {
    const finding = loadEvent('guardduty/raw-s3-pentest-parrotlinux.json');
    finding.severity = 'HIGH';
    const result = intake(finding);
    expect(result).toMatchObject({ accepted: false, recognised: 'guardduty-finding' });
    expect(!result.accepted && result.reason).toContain('severity');
  });
});

describe('intake: CloudWatch', () => {
  it('accepts an Alarm State Change with an incident id from the alarm ARN and state time', () => {
    const event = loadEvent('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
    const incident = acceptedIncident(intake(event));
    expect(incident.source).toBe('cloudwatch');
    expect(incident.facts).toMatchObject({ state: 'ALARM', previousState: 'OK' });
    const again = loadEvent('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
    again.id = 'another-delivery';
    expect(acceptedIncident(intake(again)).id).toBe(incident.id);
    const later = loadEvent('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
    ((later.detail as Json).state as Json).timestamp = '2026-11-28T10:00:00.000+0000';
    expect(acceptedIncident(intake(later)).id).not.toBe(incident.id);
  });

  it('makes the CIS root-usage alarm root activity, critical', () => {
    const event = loadEvent('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
    (event.detail as Json).alarmName = 'RootAccountUsage';
    const incident = acceptedIncident(intake(event));
    expect(incident.category).toBe('root-activity');
    expect(incident.severity.label).toBe('critical');
  });

  it.each([
    ['cloudwatch/eb-alarm-config-change-create-composite-docs.json', 'cloudwatch-alarm-configuration-change'],
    [
      'cloudwatch/eb-alarm-config-change-delete-metric-math-docs.json',
      'cloudwatch-alarm-configuration-change',
    ],
    ['cloudwatch/eb-alarm-config-change-update-metric-docs.json', 'cloudwatch-alarm-configuration-change'],
    ['cloudwatch/lambda-action-composite-alarm-powertools.json', 'cloudwatch-alarm-lambda-action'],
    ['cloudwatch/lambda-action-metric-math-alarm-powertools.json', 'cloudwatch-alarm-lambda-action'],
    ['cloudwatch/sns-alarm-notification-single-metric-rust-runtime.json', 'sns-notification'],
    [
      'edge-cases/cloudwatch-hybrid-envelope-with-alarmData-rust-runtime.json',
      'cloudwatch-malformed-envelope',
    ],
    [
      'edge-cases/cloudwatch-lambda-action-spaces-in-timestamps-rust-runtime.json',
      'cloudwatch-alarm-lambda-action',
    ],
  ])('rejects %s as %s, with a reason', (file, recognised) => {
    const result = intake(loadEvent(file));
    expect(result).toMatchObject({ accepted: false, recognised });
    expect(!result.accepted && result.reason.length).toBeGreaterThan(20);
  });
});

describe('intake: Config', () => {
  it('accepts a Rules Compliance Change, keeping the IAM user id and the rule without its conformance-pack suffix', () => {
    const incident = acceptedIncident(intake(loadFixture('config-access-keys-rotated-noncompliant.json')));
    expect(incident.category).toBe('stale-credentials');
    expect(incident.facts).toMatchObject({
      baseRuleName: 'access-keys-rotated',
      complianceType: 'NON_COMPLIANT',
    });
    expect(incident.resources).toEqual([
      { kind: 'iam-user', role: 'affected', userId: 'AIDAJQABLZS4A3QDU576Q' },
    ]);
  });

  it('gives a resource that turns NON_COMPLIANT again a new incident, and a re-delivery the same one', () => {
    const first = acceptedIncident(intake(loadFixture('config-access-keys-rotated-noncompliant.json')));
    const redelivery = loadFixture<Json>('config-access-keys-rotated-noncompliant.json');
    redelivery.id = 'another-delivery';
    expect(acceptedIncident(intake(redelivery)).id).toBe(first.id);
    const again = loadFixture<Json>('config-access-keys-rotated-noncompliant.json');
    ((again.detail as Json).newEvaluationResult as Json).resultRecordedTime = '2027-02-01T00:00:00.000Z';
    expect(acceptedIncident(intake(again)).id).not.toBe(first.id);
  });

  it.each([
    'config/custom-rule-invocation-configuration-changed-powertools.json',
    'config/custom-rule-invocation-ec2-instance-custodian.json',
    'config/custom-rule-invocation-oversized-powertools.json',
    'config/custom-rule-invocation-scheduled-powertools.json',
    'config/custom-rule-invocation-sg-open-ssh-custodian.json',
  ])('rejects the Config custom-rule invocation %s', (file) => {
    expect(intake(loadEvent(file))).toMatchObject({
      accepted: false,
      recognised: 'config-custom-rule-invocation',
    });
  });

  it.each([
    'config/sns-compliance-change-notification-docs.json',
    'config/sns-configuration-item-change-ec2-volume-docs.json',
  ])('rejects the SNS notification %s', (file) => {
    expect(intake(loadEvent(file))).toMatchObject({ accepted: false, recognised: 'sns-notification' });
  });
});

describe('intake: everything else is rejected with a reason, never thrown', () => {
  it.each([
    ['securityhub/asff-guardduty-ssh-bruteforce-count74-docs.json', 'securityhub-finding'],
    ['securityhub/eb-securityhub-custom-action-guardduty-consolelogin-asff.json', 'securityhub-event'],
    ['securityhub/placebo-getfindings-5-guardduty-iam-asff.json', 'securityhub-getfindings-response'],
  ])('rejects the Security Hub shape %s', (file, recognised) => {
    expect(intake(loadEvent(file))).toMatchObject({ accepted: false, recognised });
  });

  it('rejects an empty GetFindings page', () => {
    expect(intake({ Findings: [] })).toMatchObject({
      accepted: false,
      recognised: 'guardduty-getfindings-page',
    });
    expect(intake({ findings: [] })).toMatchObject({
      accepted: false,
      recognised: 'guardduty-getfindings-page',
    });
  });

  it('rejects invalid JSON, naming the parse error', () => {
    const result = intakeText('{"detail-type": ');
    expect(result).toMatchObject({ accepted: false, recognised: 'invalid-json' });
  });

  it.each([[null], [42], ['text'], [true], [[]], [[{ id: 'x' }]]])('rejects the non-object %j', (input) => {
    expect(intake(input)).toMatchObject({ accepted: false, recognised: 'not-an-object' });
  });

  it('rejects an EventBridge event from another source, naming it', () => {
    const result = intake({
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      detail: {},
    });
    expect(result).toMatchObject({ accepted: false, recognised: 'eventbridge-other' });
    expect(!result.accepted && result.reason).toContain('aws.ec2');
  });

  it('accepts the bundled events as text exactly as it accepts them parsed', () => {
    const text = loadEventText('guardduty/raw-iam-recon-maliciousipcaller-custom.json');
    expect(intakeText(text)).toEqual(intake(JSON.parse(text)));
  });
});
