import { describe, expect, it } from 'vitest';
import {
  ALARM_PLAYBOOK_IDS,
  alarmMappingRefusal,
  CONFIG_RULE_PLAYBOOK_IDS,
  configRuleMappingRefusal,
  configRuleRoute,
  defaultAlarmPlaybooks,
  defaultConfigRulePlaybooks,
  describeRoutes,
  FALLBACK_PLAYBOOK,
  INCIDENT_PLAYBOOK_IDS,
  PLAYBOOKS,
  plannedSteps,
  playbookForFinding,
} from '../../src/playbooks/catalog.ts';
import { PLAYBOOK_IDS } from '../../src/playbooks/ids.ts';

describe('the playbook catalog', () => {
  it('declares every playbook id, each under its own id', () => {
    expect(Object.keys(PLAYBOOKS).sort()).toEqual([...PLAYBOOK_IDS].sort());
    for (const id of PLAYBOOK_IDS) expect(PLAYBOOKS[id].id).toBe(id);
  });

  it('flattens parallel steps in order', () => {
    expect(plannedSteps('ec2-compromise')).toEqual([
      'contain-instance',
      'deregister-from-load-balancers',
      'snapshot-volumes',
      'quarantine-instance-profile',
      'notify',
    ]);
  });

  it('routes each finding category it declares to its playbook, and no other', () => {
    expect(playbookForFinding('instance-compromise')?.id).toBe('ec2-compromise');
    expect(playbookForFinding('credential-compromise')?.id).toBe('credential-compromise');
    expect(playbookForFinding('root-activity')?.id).toBe('root-activity');
    expect(playbookForFinding('data-threat')).toBeUndefined();
    expect(playbookForFinding('instance-exposed')).toBeUndefined();
  });

  it('knows which playbook declares a Config rule, and what the rule tells its target', () => {
    expect(configRuleRoute('iam-user-unused-credentials-check')).toEqual({
      playbook: 'stale-credentials',
      route: { category: 'stale-credentials', approval: 'required', target: { staleBy: 'last-use' } },
    });
    expect(configRuleRoute('access-keys-rotated')?.route.target).toEqual({ staleBy: 'age' });
    expect(configRuleRoute('restricted-ssh')).toBeUndefined();
    // An inherited property is not a rule.
    expect(configRuleRoute('toString')).toBeUndefined();
  });

  it('has one fallback, which changes nothing and takes alarms and any Config rule', () => {
    expect(FALLBACK_PLAYBOOK).toBe('notify-only');
    expect(PLAYBOOKS[FALLBACK_PLAYBOOK]).toMatchObject({ mutating: false, target: 'none' });
    expect(ALARM_PLAYBOOK_IDS).toContain(FALLBACK_PLAYBOOK);
    expect(CONFIG_RULE_PLAYBOOK_IDS).toContain(FALLBACK_PLAYBOOK);
  });

  it('lets an incident start every playbook but one only a responder starts', () => {
    expect([...INCIDENT_PLAYBOOK_IDS].sort()).toEqual(
      PLAYBOOK_IDS.filter((id) => id !== 'ec2-release').sort(),
    );
  });

  it('says in words what a playbook acts on', () => {
    expect(describeRoutes('ec2-compromise')).toBe('GuardDuty findings of category instance-compromise');
    expect(describeRoutes('root-activity')).toBe(
      'GuardDuty findings of category root-activity; CloudWatch alarms',
    );
    expect(describeRoutes('ec2-release')).toBe("a responder's request, never an event");
  });
});

describe('mapping refusals', () => {
  it('accept the playbooks that take alarms, and name why another cannot', () => {
    expect(alarmMappingRefusal('root-activity')).toBeUndefined();
    expect(alarmMappingRefusal('notify-only')).toBeUndefined();
    expect(alarmMappingRefusal('stale-credentials')).toBe(
      "stale-credentials cannot act on a CloudWatch alarm: an alarm names no resource, and stale-credentials acts on the results of the AWS Config rules access-keys-rotated, iam-user-unused-credentials-check; an alarm may run 'root-activity', 'notify-only'",
    );
  });

  it('never repeat a value that is not a playbook id (settings may hold secrets)', () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE-secret';
    expect(alarmMappingRefusal(secret)).not.toContain(secret);
    expect(configRuleMappingRefusal('access-keys-rotated', secret)).not.toContain(secret);
  });

  it('accept a Config rule for a playbook that declares it or takes any rule, and name why otherwise', () => {
    expect(configRuleMappingRefusal('access-keys-rotated', 'stale-credentials')).toBeUndefined();
    expect(configRuleMappingRefusal('restricted-ssh', 'notify-only')).toBeUndefined();
    expect(configRuleMappingRefusal('restricted-ssh', 'stale-credentials')).toContain(
      'stale-credentials cannot act on results of restricted-ssh',
    );
    expect(configRuleMappingRefusal('restricted-ssh', 'root-activity')).toContain(
      'root-activity cannot act on an AWS Config result',
    );
  });
});

describe('default mappings', () => {
  it('map each alarm to the playbook claiming it by default, the fallback otherwise', () => {
    expect(defaultAlarmPlaybooks(['RootAccountUsage', 'SomeOtherAlarm'])).toEqual({
      RootAccountUsage: 'root-activity',
      SomeOtherAlarm: 'notify-only',
    });
  });

  it('map every declared Config rule to its playbook, with the declared approval', () => {
    expect(defaultConfigRulePlaybooks()).toEqual({
      'access-keys-rotated': { playbook: 'stale-credentials', approval: 'required' },
      'iam-user-unused-credentials-check': { playbook: 'stale-credentials', approval: 'required' },
    });
  });
});
