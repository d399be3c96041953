import { describe, expect, it } from 'vitest';
import { loadEvent } from '../../../../test/support/events.ts';
import { DETECTIONS, detectionFor } from '../../src/detections/alarms.ts';
import { knownAlarmOf } from '../../src/intake/alarm-names.ts';
import { intake } from '../../src/intake/intake.ts';
import { decide } from '../../src/policy/decision.ts';
import { DEFAULT_SETTINGS } from '../../src/policy/settings.ts';

/**
 * Security Hub's text, copied from the "Remediation" section of each control (Security Hub User Guide,
 * "Security Hub controls for Amazon CloudWatch", https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html;
 * awsdocs/aws-security-hub-user-guide doc_source/cloudwatch-controls.md at commit
 * bda5bf7ddbdf498557b2ac6a538577528004e6d5, CloudWatch.1–14; .15–17 are not CloudTrail filters). Security Hub's
 * check fails when the filter is not the exact one CIS prescribes, so these are compared byte for byte.
 */
const SECURITY_HUB = {
  'CloudWatch.1': {
    exampleAlarm: 'CIS-1.7-RootAccountUsage',
    title: 'A log metric filter and alarm should exist for usage of the "root" user',
    related: ['1.2.0/1.1', '1.2.0/3.3', '1.4.0/1.7', '1.4.0/4.3'],
    pattern:
      '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
  },
  'CloudWatch.2': {
    exampleAlarm: 'CIS-3.1-UnauthorizedAPICalls',
    title: 'Ensure a log metric filter and alarm exist for unauthorized API calls',
    related: ['1.2.0/3.1'],
    pattern: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
  },
  'CloudWatch.3': {
    exampleAlarm: 'CIS-3.2-ConsoleSigninWithoutMFA',
    title: 'Ensure a log metric filter and alarm exist for Management Console sign-in without MFA',
    related: ['1.2.0/3.2'],
    pattern:
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  },
  'CloudWatch.4': {
    exampleAlarm: 'CIS-4.4-IAMPolicyChanges',
    title: 'Ensure a log metric filter and alarm exist for IAM policy changes',
    related: ['1.2.0/3.4', '1.4.0/4.4'],
    pattern:
      '{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}',
  },
  'CloudWatch.5': {
    exampleAlarm: 'CIS-4.5-CloudTrailChanges',
    title: 'Ensure a log metric filter and alarm exist for CloudTrail AWS Configuration changes',
    related: ['1.2.0/3.5', '1.4.0/4.5'],
    pattern:
      '{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}',
  },
  'CloudWatch.6': {
    exampleAlarm: 'CIS-4.6-ConsoleAuthenticationFailure',
    title: 'Ensure a log metric filter and alarm exist for AWS Management Console authentication failures',
    related: ['1.2.0/3.6', '1.4.0/4.6'],
    pattern: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
  },
  'CloudWatch.7': {
    exampleAlarm: 'CIS-4.7-DisableOrDeleteCMK',
    title:
      'Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer managed keys',
    related: ['1.2.0/3.7', '1.4.0/4.7'],
    pattern:
      '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
  },
  'CloudWatch.8': {
    exampleAlarm: 'CIS-4.8-S3BucketPolicyChanges',
    title: 'Ensure a log metric filter and alarm exist for S3 bucket policy changes',
    related: ['1.2.0/3.8', '1.4.0/4.8'],
    pattern:
      '{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}',
  },
  'CloudWatch.9': {
    exampleAlarm: 'CIS-4.9-AWSConfigChanges',
    title: 'Ensure a log metric filter and alarm exist for AWS Config configuration changes',
    related: ['1.2.0/3.9', '1.4.0/4.9'],
    pattern:
      '{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}',
  },
  'CloudWatch.10': {
    exampleAlarm: 'CIS-4.10-SecurityGroupChanges',
    title: 'Ensure a log metric filter and alarm exist for security group changes',
    related: ['1.2.0/3.10', '1.4.0/4.10'],
    pattern:
      '{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}',
  },
  'CloudWatch.11': {
    exampleAlarm: 'CIS-4.11-NetworkACLChanges',
    title: 'Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)',
    related: ['1.2.0/3.11', '1.4.0/4.11'],
    pattern:
      '{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}',
  },
  'CloudWatch.12': {
    exampleAlarm: 'CIS-4.12-NetworkGatewayChanges',
    title: 'Ensure a log metric filter and alarm exist for changes to network gateways',
    related: ['1.2.0/3.12', '1.4.0/4.12'],
    pattern:
      '{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}',
  },
  'CloudWatch.13': {
    exampleAlarm: 'CIS-4.13-RouteTableChanges',
    title: 'Ensure a log metric filter and alarm exist for route table changes',
    related: ['1.2.0/3.13', '1.4.0/4.13'],
    pattern:
      '{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}',
  },
  'CloudWatch.14': {
    exampleAlarm: 'CIS-4.14-VPCChanges',
    title: 'Ensure a log metric filter and alarm exist for VPC changes',
    related: ['1.2.0/3.14', '1.4.0/4.14'],
    pattern:
      '{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}',
  },
} as const;

describe('the CIS detections', () => {
  it.each([
    ['RootAccountUsage', 'CloudWatch.1'],
    ['UnauthorizedAPICalls', 'CloudWatch.2'],
    ['FailedConsoleLogins', 'CloudWatch.6'],
    ['ConsoleSigninWithoutMFA', 'CloudWatch.3'],
    ['IAMPolicyChanges', 'CloudWatch.4'],
    ['CloudTrailChanges', 'CloudWatch.5'],
    ['DisableOrDeleteCMK', 'CloudWatch.7'],
    ['S3BucketPolicyChanges', 'CloudWatch.8'],
    ['AWSConfigChanges', 'CloudWatch.9'],
    ['SecurityGroupChanges', 'CloudWatch.10'],
    ['NetworkACLChanges', 'CloudWatch.11'],
    ['NetworkGatewayChanges', 'CloudWatch.12'],
    ['RouteTableChanges', 'CloudWatch.13'],
    ['VPCChanges', 'CloudWatch.14'],
  ] as const)('%s is Security Hub control %s', (alarmName, control) => {
    expect(detectionFor(alarmName)?.securityHubControl).toBe(control);
  });

  it.each(DETECTIONS.map((detection) => [detection.alarmName, detection] as const))(
    "%s's filter pattern is its Security Hub control's text, byte for byte",
    (_name, detection) => {
      const expected = SECURITY_HUB[detection.securityHubControl].pattern;

      expect(Buffer.from(detection.filterPattern, 'utf8').equals(Buffer.from(expected, 'utf8'))).toBe(true);
      expect(detection.filterPattern).toBe(expected);
    },
  );

  it.each(DETECTIONS.map((detection) => [detection.alarmName, detection] as const))(
    '%s names the CIS requirements Security Hub relates its control to',
    (_name, detection) => {
      expect(detection.cis).toEqual(SECURITY_HUB[detection.securityHubControl].related);
      expect(detection.description).toContain(detection.securityHubControl);
    },
  );

  it('are one per control', () => {
    expect(new Set(DETECTIONS.map((detection) => detection.securityHubControl)).size).toBe(DETECTIONS.length);
  });

  it("cover every CloudTrail metric-filter control on Security Hub's page, CloudWatch.1 to CloudWatch.14", () => {
    expect(DETECTIONS.map((detection) => detection.securityHubControl).sort()).toEqual(
      Object.keys(SECURITY_HUB).sort(),
    );
    expect(DETECTIONS).toHaveLength(14);
  });

  it('publish each to a metric of its own (one alarm never counts another filter)', () => {
    expect(new Set(DETECTIONS.map((detection) => detection.metricName)).size).toBe(DETECTIONS.length);
    expect(new Set(DETECTIONS.map((detection) => detection.alarmName)).size).toBe(DETECTIONS.length);
  });

  it("are the alarm Security Hub's page names as an example for their control (CIS-4.4-IAMPolicyChanges …)", () => {
    for (const detection of DETECTIONS) {
      const example = SECURITY_HUB[detection.securityHubControl].exampleAlarm;
      expect(knownAlarmOf(example)?.name, example).toBe(detection.alarmName);
    }
  });

  it('map by default to root-activity for root usage and notify-only for every other alarm', () => {
    for (const detection of DETECTIONS) {
      expect(DEFAULT_SETTINGS.alarmPlaybooks[detection.alarmName], detection.alarmName).toBe(
        detection.alarmName === 'RootAccountUsage' ? 'root-activity' : 'notify-only',
      );
    }
  });

  it("alarm at the controls' threshold: one occurrence (greater than or equal to 1)", () => {
    for (const detection of DETECTIONS) expect(detection.defaults.threshold).toBe(1);
  });

  it.each(
    DETECTIONS.flatMap((detection) => [
      [detection.alarmName, detection] as const,
      [SECURITY_HUB[detection.securityHubControl].exampleAlarm, detection] as const,
    ]),
  )(
    'an alarm named %s entering ALARM becomes its detection and runs its default playbook',
    (name, detection) => {
      const event = loadEvent<{ detail: { alarmName: string } }>(
        'cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json',
      );
      event.detail.alarmName = name;

      const result = intake(event);
      if (!result.accepted) throw new Error(result.reason);
      const decision = decide(result.incident, DEFAULT_SETTINGS);

      expect(result.incident.facts).toMatchObject({ knownAlarm: detection.alarmName });
      expect(decision).toMatchObject({
        action: 'notify',
        playbook: DEFAULT_SETTINGS.alarmPlaybooks[detection.alarmName],
      });
    },
  );
});
