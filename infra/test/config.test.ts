import { describe, expect, it } from 'vitest';
import { deployConfig } from '../config.ts';

describe('deployConfig', () => {
  it('defaults to the settings defaults and a 5-minute poll', () => {
    expect(deployConfig('dev', {})).toEqual({
      stage: 'dev',
      prefix: 'cordon-dev',
      stageRoot: '/cordon/dev/',
      settingsPath: '/cordon/dev/settings/',
      trailLogGroupName: 'aws-cloudtrail-logs',
      detections: true,
      responderRoleName: 'CordonResponder',
      observerRoleName: 'CordonResponderObserver',
      quarantineRoleName: 'CordonQuarantine',
      exemptionTagKey: 'cordon:exempt',
      pollSchedule: 'rate(5 minutes)',
      protect: false,
    });
  });

  it('reads the CORDON_* variables', () => {
    const config = deployConfig('production', {
      CORDON_TRAIL_LOG_GROUP: 'org/trail',
      CORDON_DETECTIONS: 'off',
      CORDON_NOTIFY_EMAIL: 'secops@example.com',
      CORDON_POLL_SCHEDULE: 'rate(10 minutes)',
    });

    expect(config).toMatchObject({
      trailLogGroupName: 'org/trail',
      detections: false,
      notificationEmail: 'secops@example.com',
      pollSchedule: 'rate(10 minutes)',
      protect: true,
    });
  });

  it('refuses CORDON_EXTRA_ALARMS, which the alarm rule no longer needs, saying what replaced it', () => {
    expect(() => deployConfig('dev', { CORDON_EXTRA_ALARMS: 'ServerCpuTooHigh' })).toThrow(
      /CORDON_EXTRA_ALARMS is no longer read: the CloudWatch rule delivers every alarm entering ALARM, and settings\.alarmPlaybooks/,
    );
  });

  it('names the observer role like triage does: the member-role prefix (at most 33 characters) + Observer', () => {
    expect(deployConfig('dev', { CORDON_RESPONDER_ROLE_NAME: 'SecOpsResponder' }).observerRoleName).toBe(
      'SecOpsResponderObserver',
    );
    expect(deployConfig('dev', { CORDON_RESPONDER_ROLE_NAME: 'R'.repeat(33) }).observerRoleName).toBe(
      `${'R'.repeat(33)}Observer`,
    );
    // 33 + '-deregister-from-load-balancers' (31) = 64, IAM's limit for a role name.
    expect(() => deployConfig('dev', { CORDON_RESPONDER_ROLE_NAME: 'R'.repeat(34) })).toThrow(
      /at most 33 characters/,
    );
  });

  it('reads the quarantine profile role, the one role quarantine-instance-profile may pass', () => {
    expect(deployConfig('dev', { CORDON_QUARANTINE_ROLE_NAME: 'Quarantine' }).quarantineRoleName).toBe(
      'Quarantine',
    );
    expect(() => deployConfig('dev', { CORDON_QUARANTINE_ROLE_NAME: 'a/b' })).toThrow(
      /CORDON_QUARANTINE_ROLE_NAME/,
    );
  });

  it('reads the organization whose accounts may forward events, and refuses what is not an organization id', () => {
    expect(deployConfig('dev', { CORDON_ORGANIZATION_ID: ' o-a1b2c3d4e5 ' }).organizationId).toBe(
      'o-a1b2c3d4e5',
    );
    expect(deployConfig('dev', {})).not.toHaveProperty('organizationId');
    for (const bad of ['a1b2c3d4e5', 'o-short', 'o-A1B2C3D4E5', '123456789012', 'r-a1b2']) {
      expect(() => deployConfig('dev', { CORDON_ORGANIZATION_ID: bad }), bad).toThrow(
        /CORDON_ORGANIZATION_ID must be an AWS Organizations organization id/,
      );
    }
  });

  it('refuses stages that would break names, and malformed values', () => {
    expect(() => deployConfig('a/b', {})).toThrow(/not a valid settings stage/);
    expect(() => deployConfig('x'.repeat(30), {})).toThrow(/too long/);
    expect(() => deployConfig('dev', { CORDON_NOTIFY_EMAIL: 'nope' })).toThrow(/e-mail/);
    expect(() => deployConfig('dev', { CORDON_POLL_SCHEDULE: 'every 5 minutes' })).toThrow(/rate/);
    expect(() => deployConfig('dev', { CORDON_DETECTIONS: 'maybe' })).toThrow(/on or off/);
  });
});
