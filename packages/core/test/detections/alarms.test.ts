import { describe, expect, it } from 'vitest';
import { DETECTIONS, detectionFor } from '../../src/detections/alarms.ts';

/**
 * Security Hub's text, copied from the "Remediation" section of each control (Security Hub User Guide,
 * "Security Hub controls for Amazon CloudWatch", https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html;
 * awsdocs/aws-security-hub-user-guide doc_source/cloudwatch-controls.md). Security Hub's check fails when the
 * filter is not the exact one CIS prescribes, so these are compared byte for byte.
 */
const SECURITY_HUB = {
  'CloudWatch.1': {
    title: 'A log metric filter and alarm should exist for usage of the "root" user',
    related: ['1.2.0/1.1', '1.2.0/3.3', '1.4.0/1.7', '1.4.0/4.3'],
    pattern:
      '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
  },
  'CloudWatch.2': {
    title: 'Ensure a log metric filter and alarm exist for unauthorized API calls',
    related: ['1.2.0/3.1'],
    pattern: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
  },
  'CloudWatch.6': {
    title: 'Ensure a log metric filter and alarm exist for AWS Management Console authentication failures',
    related: ['1.2.0/3.6', '1.4.0/4.6'],
    pattern: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
  },
} as const;

describe('the CIS detections', () => {
  it.each([
    ['RootAccountUsage', 'CloudWatch.1'],
    ['UnauthorizedAPICalls', 'CloudWatch.2'],
    ['FailedConsoleLogins', 'CloudWatch.6'],
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

  it("alarm at the controls' threshold: one occurrence (greater than or equal to 1)", () => {
    for (const detection of DETECTIONS) expect(detection.defaults.threshold).toBe(1);
  });
});
