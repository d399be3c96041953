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

describe('intake: each shape is told apart by all of its marks, and its reason says what it is', () => {
  const notHandled = (source: string, detailType: string) =>
    `An EventBridge event from ${source} ("${detailType}") that Cordon does not handle.`;
  const unknown = (keys: string) => `Not an event Cordon recognises (top-level keys: ${keys}).`;

  it.each<[string, unknown, string, string]>([
    [
      'an array',
      [1, 2, 3],
      'not-an-object',
      'The input is a JSON array of 3 items; Cordon takes one event (a JSON object) at a time.',
    ],
    ['null', null, 'not-an-object', 'The input is null, not a JSON object.'],
    ['a number', 42, 'not-an-object', 'The input is a number, not a JSON object.'],
    [
      'a GuardDuty Finding event whose detail is no object',
      { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail: 'finding' },
      'guardduty-eventbridge',
      'A "GuardDuty Finding" event without a finding in `detail`.',
    ],
    [
      'another detail-type from GuardDuty',
      { source: 'aws.guardduty', 'detail-type': 'GuardDuty Malware Scan', detail: {} },
      'eventbridge-other',
      notHandled('aws.guardduty', 'GuardDuty Malware Scan'),
    ],
    [
      "GuardDuty's detail-type from another source",
      { source: 'custom.app', 'detail-type': 'GuardDuty Finding', detail: {} },
      'eventbridge-other',
      notHandled('custom.app', 'GuardDuty Finding'),
    ],
    [
      'an event with no source',
      { 'detail-type': 'Scheduled Event', detail: {} },
      'eventbridge-other',
      notHandled('(no source)', 'Scheduled Event'),
    ],
    [
      'an event whose detail-type is no text',
      { source: 'custom.app', 'detail-type': 7, detail: {} },
      'eventbridge-other',
      notHandled('custom.app', '(no detail-type)'),
    ],
    [
      "CloudWatch's state change from another source",
      { source: 'custom.app', 'detail-type': 'CloudWatch Alarm State Change', detail: {} },
      'eventbridge-other',
      notHandled('custom.app', 'CloudWatch Alarm State Change'),
    ],
    [
      'another detail-type from CloudWatch',
      { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Metric Stream State Change', detail: {} },
      'eventbridge-other',
      notHandled('aws.cloudwatch', 'CloudWatch Metric Stream State Change'),
    ],
    [
      "CloudWatch's configuration change from another source",
      { source: 'custom.app', 'detail-type': 'CloudWatch Alarm Configuration Change', detail: {} },
      'eventbridge-other',
      notHandled('custom.app', 'CloudWatch Alarm Configuration Change'),
    ],
    [
      'an alarm configuration change',
      {
        source: 'aws.cloudwatch',
        'detail-type': 'CloudWatch Alarm Configuration Change',
        detail: { operation: 'update' },
      },
      'cloudwatch-alarm-configuration-change',
      'A CloudWatch "Alarm Configuration Change" event (operation update): a change to an alarm\'s configuration, not an incident.',
    ],
    [
      'an alarm configuration change without its detail',
      { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm Configuration Change' },
      'cloudwatch-alarm-configuration-change',
      'A CloudWatch "Alarm Configuration Change" event (operation unknown): a change to an alarm\'s configuration, not an incident.',
    ],
    [
      "Config's compliance change from another source",
      { source: 'custom.app', 'detail-type': 'Config Rules Compliance Change', detail: {} },
      'eventbridge-other',
      notHandled('custom.app', 'Config Rules Compliance Change'),
    ],
    [
      'another detail-type from Config',
      { source: 'aws.config', 'detail-type': 'Config Configuration Item Change', detail: {} },
      'eventbridge-other',
      notHandled('aws.config', 'Config Configuration Item Change'),
    ],
    [
      'a Security Hub event',
      { source: 'aws.securityhub', 'detail-type': 'Security Hub Findings - Imported', detail: {} },
      'securityhub-event',
      'A Security Hub event ("Security Hub Findings - Imported"): Cordon takes GuardDuty findings from GuardDuty itself, not ASFF copies from Security Hub.',
    ],
    [
      'an SNS notification',
      { Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts', Message: '{}' },
      'sns-notification',
      'An SNS notification from arn:aws:sns:us-east-1:123456789012:alerts: route the source to EventBridge instead of SNS.',
    ],
    [
      'an SNS notification whose topic is no text',
      { Type: 'Notification', TopicArn: 5 },
      'sns-notification',
      'An SNS notification from a topic: route the source to EventBridge instead of SNS.',
    ],
    ['a Notification with no topic', { Type: 'Notification' }, 'unknown', unknown('Type')],
    [
      'a topic that is no Notification',
      { Type: 'SubscriptionConfirmation', TopicArn: 'x' },
      'unknown',
      unknown('Type, TopicArn'),
    ],
    [
      'an SNS-to-Lambda batch by its EventSource',
      { Records: [{ EventSource: 'aws:sns' }] },
      'sns-notification',
      'An SNS-to-Lambda event (Records[].Sns): route the source to EventBridge instead of SNS.',
    ],
    [
      'an SNS-to-Lambda batch by its Sns record, after a record that is no object',
      { Records: ['noise', { Sns: {} }] },
      'sns-notification',
      'An SNS-to-Lambda event (Records[].Sns): route the source to EventBridge instead of SNS.',
    ],
    [
      'an SQS batch',
      { Records: [{ EventSource: 'aws:sqs', body: '{}' }, 'noise'] },
      'unknown',
      'A `Records` batch that is not from SNS; Cordon takes single EventBridge events.',
    ],
    [
      "an alarm's Lambda-action payload",
      { source: 'aws.cloudwatch', alarmData: {} },
      'cloudwatch-alarm-lambda-action',
      "A CloudWatch alarm's Lambda-action payload (alarmData): Cordon takes alarm state changes from EventBridge.",
    ],
    [
      'alarmData from another source',
      { source: 'custom.app', alarmData: {} },
      'unknown',
      unknown('source, alarmData'),
    ],
    ['CloudWatch as source without alarmData', { source: 'aws.cloudwatch' }, 'unknown', unknown('source')],
    [
      'a Config custom-rule invocation',
      { invokingEvent: '{}', configRuleName: 'my-rule' },
      'config-custom-rule-invocation',
      'A Config custom-rule Lambda invocation for rule my-rule: that evaluates compliance; Cordon takes "Config Rules Compliance Change" events from EventBridge.',
    ],
    [
      'an invokingEvent that is no text',
      { invokingEvent: {}, configRuleName: 'my-rule' },
      'unknown',
      unknown('invokingEvent, configRuleName'),
    ],
    ['an invokingEvent with no rule', { invokingEvent: '{}' }, 'unknown', unknown('invokingEvent')],
    [
      'an ASFF finding',
      { ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty', AwsAccountId: '123456789012' },
      'securityhub-finding',
      "A Security Hub finding (ASFF): Cordon takes GuardDuty findings in GuardDuty's own format.",
    ],
    ['a ProductArn alone', { ProductArn: 'x' }, 'unknown', unknown('ProductArn')],
    [
      'an empty GetFindings page',
      { Findings: [] },
      'guardduty-getfindings-page',
      'An empty GetFindings page: there is no finding in it.',
    ],
    [
      'a GetFindings page',
      { Findings: [{ Id: 'a' }, 'noise'] },
      'guardduty-getfindings-page',
      'A GetFindings page with 2 findings: hand them to triage one by one (the GuardDuty poller does).',
    ],
    [
      'a recorded GetFindings response under data',
      { data: { findings: [{ id: 'a' }] } },
      'guardduty-getfindings-page',
      'A GetFindings page with 1 findings: hand them to triage one by one (the GuardDuty poller does).',
    ],
    [
      'a Security Hub GetFindings response with one ASFF finding among others',
      { Findings: [{ Id: 'a' }, { ProductArn: 'x' }] },
      'securityhub-getfindings-response',
      "A Security Hub GetFindings response with 2 ASFF findings: Cordon takes GuardDuty findings in GuardDuty's own format.",
    ],
    ['an id without a type', { id: 'x', severity: 5 }, 'unknown', unknown('id, severity')],
    ['a type without an id', { Type: 'x', Severity: 5 }, 'unknown', unknown('Type, Severity')],
    ['an empty object', {}, 'unknown', unknown('none')],
    [
      'many keys (the first six are named)',
      { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 },
      'unknown',
      unknown('a, b, c, d, e, f'),
    ],
  ])('%s', (_case, input, recognised, reason) => {
    // Act / Assess
    expect(intake(input)).toEqual({ accepted: false, recognised, reason });
  });

  it('reads an alarm state change with neither detail nor alarmData as an alarm state change (missing fields), not a malformed envelope', () => {
    // Act
    const result = intake({ source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change' });

    // Assess
    expect(result).toMatchObject({ accepted: false, recognised: 'cloudwatch-alarm-state-change' });
  });

  it('reads a raw finding by its id and type, in either case', () => {
    // Act / Assess
    expect(intake({ Id: 'x', Type: 'Recon:EC2/PortProbeUnprotectedPort' })).toMatchObject({
      recognised: 'guardduty-finding',
    });
    expect(intake({ id: 'x', type: 'Recon:EC2/PortProbeUnprotectedPort' })).toMatchObject({
      recognised: 'guardduty-finding',
    });
  });

  it('names invalid JSON with the parser’s message', () => {
    // Prepare
    const body = '{"detail-type": ';
    const message = (() => {
      try {
        JSON.parse(body);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();

    // Act / Assess
    expect(intakeText(body)).toEqual({
      accepted: false,
      recognised: 'invalid-json',
      reason: `The input is not valid JSON (${message}).`,
    });
  });

  it('turns a fault while reading an input into a named rejection, never a throw', () => {
    // Prepare: an input whose field cannot be read (a getter that throws).
    const input = {
      'detail-type': 'GuardDuty Finding',
      get source(): string {
        throw new RangeError('unreadable');
      },
    };

    // Act / Assess
    expect(intake(input)).toEqual({
      accepted: false,
      recognised: 'unknown',
      reason: 'The intake failed on this input (RangeError: unreadable).',
    });
  });
});

describe('intake: bodies stripped of their envelope are named only by all of their marks', () => {
  const unknown = (keys: string) => ({
    accepted: false,
    recognised: 'unknown',
    reason: `Not an event Cordon recognises (top-level keys: ${keys}).`,
  });
  const withoutEnvelope = (type: string) =>
    `A GuardDuty finding (${type}) under \`detail\` without its EventBridge envelope (no \`source\` or \`detail-type\`).`;

  it.each<[string, Json]>([
    ['an id and a type, but neither severity nor schema version', { id: 'x', type: 'T' }],
    ['no type', { id: 'x', severity: 5 }],
    ['no id', { type: 'T', Severity: 5 }],
  ])('a detail with %s is no finding', (_case, detail) => {
    // Act / Assess
    expect(intake({ detail })).toEqual(unknown('detail'));
  });

  it.each<[string, Json, string]>([
    ['severity', { id: 'x', type: 'Recon:EC2/Portscan', severity: 5 }, 'Recon:EC2/Portscan'],
    ['Severity, PascalCase', { Id: 'x', Type: 'Recon:EC2/Portscan', Severity: 5 }, 'Recon:EC2/Portscan'],
    ['schemaVersion', { id: 'x', type: 'Recon:EC2/Portscan', schemaVersion: '2.0' }, 'Recon:EC2/Portscan'],
    ['SchemaVersion, PascalCase', { Id: 'x', Type: 7, SchemaVersion: '2.0' }, 'unknown type'],
  ])('a detail with an id, a type and %s is a finding without its envelope', (_case, detail, type) => {
    // Act
    const result = intake({ detail });

    // Assess
    expect(result).toMatchObject({ accepted: false, recognised: 'guardduty-finding-without-envelope' });
    expect(!result.accepted && result.reason).toContain(withoutEnvelope(type));
  });

  it('names an alarm SNS body by its alarm, its transition and its new state, the name cut at 255 characters', () => {
    // Act
    const both = intake({ AlarmName: 'RootUsage', OldStateValue: 'OK', NewStateValue: 'ALARM' });
    const newOnly = intake({ AlarmName: `${'a'.repeat(255)}TAIL`, NewStateValue: 'ALARM' });

    // Assess
    expect(both).toMatchObject({ recognised: 'cloudwatch-alarm-sns-message' });
    expect(!both.accepted && both.reason).toContain('(alarm RootUsage, OK → ALARM).');
    expect(!newOnly.accepted && newOnly.reason).toContain(`(alarm ${'a'.repeat(255)}, ALARM).`);
  });

  it.each<[string, Json, string]>([
    ['an alarm name alone', { AlarmName: 'RootUsage' }, 'AlarmName'],
    ['a new state alone', { NewStateValue: 'ALARM' }, 'NewStateValue'],
    [
      'a Config notification without its result',
      { messageType: 'ComplianceChangeNotification', configRuleName: 'r' },
      'messageType, configRuleName',
    ],
    [
      'another Config message type',
      { messageType: 'ConfigurationItemChangeNotification', configRuleName: 'r', newEvaluationResult: {} },
      'messageType, configRuleName, newEvaluationResult',
    ],
    [
      'a Config notification whose rule is no text',
      { messageType: 'ComplianceChangeNotification', configRuleName: 5, newEvaluationResult: {} },
      'messageType, configRuleName, newEvaluationResult',
    ],
  ])('%s is not named a notification body', (_case, input, keys) => {
    // Act / Assess
    expect(intake(input)).toEqual(unknown(keys));
  });

  it('names a Config SNS body by its rule (cut at 128 characters) and its compliance type', () => {
    // Act
    const typed = intake({
      messageType: 'ComplianceChangeNotification',
      configRuleName: 'restricted-ssh',
      newEvaluationResult: { complianceType: 'NON_COMPLIANT' },
    });
    const long = intake({
      messageType: 'ComplianceChangeNotification',
      configRuleName: `${'r'.repeat(128)}TAIL`,
      newEvaluationResult: {},
    });

    // Assess
    expect(typed).toMatchObject({ recognised: 'config-sns-message' });
    expect(!typed.accepted && typed.reason).toContain('(rule restricted-ssh, NON_COMPLIANT).');
    expect(!long.accepted && long.reason).toContain(`(rule ${'r'.repeat(128)}, no compliance type).`);
  });
});
