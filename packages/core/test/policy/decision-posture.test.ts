import { describe, expect, it } from 'vitest';
import { loadDemoEvent, POSTURE_EVENTS } from '../../../../test/support/posture.ts';
import type { Incident } from '../../src/intake/incident.ts';
import { intake } from '../../src/intake/intake.ts';
import { decide } from '../../src/policy/decision.ts';
import { parseSettings, type Settings } from '../../src/policy/settings.ts';
import { buildExecutionInput } from '../../src/triage/execution-input.ts';

type Json = Record<string, unknown>;

function settings(overrides: Record<string, unknown> = {}): Settings {
  const parsed = parseSettings(overrides);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.settings;
}

function incidentOf(event: unknown): Incident {
  const result = intake(event);
  if (!result.accepted) throw new Error(result.reason);
  return result.incident;
}

/** A result as triage hands it to decide once the rule was read (its identifier and parameters known). */
function read(incident: Incident, identifier: string, parameters: Record<string, string> = {}): Incident {
  if (incident.facts.source !== 'config') throw new Error('not a Config result');
  return {
    ...incident,
    facts: { ...incident.facts, rule: { identifier, by: 'source-identifier', owner: 'AWS', parameters } },
  };
}

describe('decide: a Config result about a security group', () => {
  it.each([
    ['INCOMING_SSH_DISABLED', 'security-group-ingress', 'auto'],
    ['RESTRICTED_INCOMING_TRAFFIC', 'security-group-ingress', 'required'],
    ['VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS', 'security-group-ingress', 'required'],
    ['VPC_DEFAULT_SECURITY_GROUP_CLOSED', 'default-security-group', 'required'],
  ] as const)(
    '%s runs %s with approval %s by default, on the group it judged',
    (rule, playbook, approval) => {
      // Prepare
      const event = loadDemoEvent<{ detail: Json }>(POSTURE_EVENTS[rule]);
      const incident = incidentOf(event);

      // Act
      const decision = decide(incident, settings());

      // Assess
      expect(decision).toMatchObject({ action: 'remediate', playbook, approval });
      expect(decision.targets).toEqual([
        {
          kind: 'aws-resource',
          role: 'affected',
          resourceType: 'AWS::EC2::SecurityGroup',
          resourceId: event.detail.resourceId,
        },
      ]);
      expect(decision.reason).toContain(`(${rule})`);
    },
  );

  it('follows the settings when they make a fix ask first, or only notify', () => {
    // Prepare
    const incident = incidentOf(loadDemoEvent(POSTURE_EVENTS.INCOMING_SSH_DISABLED));

    // Act
    const asks = decide(
      incident,
      settings({
        configRulePlaybooks: {
          'restricted-ssh': { playbook: 'security-group-ingress', approval: 'required' },
        },
      }),
    );
    const notifies = decide(
      incident,
      settings({
        configRulePlaybooks: { INCOMING_SSH_DISABLED: { playbook: 'notify-only', approval: 'auto' } },
      }),
    );

    // Assess
    expect(asks).toMatchObject({ action: 'remediate', approval: 'required' });
    expect(notifies).toMatchObject({ action: 'notify', playbook: 'notify-only', targets: [] });
  });

  it('maps a rule read under a name that says nothing, by its source identifier', () => {
    // Prepare: a Control Tower name; triage read the rule.
    const event = loadDemoEvent<{ detail: Json }>(POSTURE_EVENTS.INCOMING_SSH_DISABLED);
    event.detail.configRuleName = 'AWSControlTower_AWS-GR_RESTRICTED_SSH';
    const unread = incidentOf(event);

    // Act
    const before = decide(unread, settings());
    const after = decide(read(unread, 'INCOMING_SSH_DISABLED'), settings());

    // Assess
    // Unread, the name says nothing: a rule nobody declared, low and only recorded (intake's hook).
    expect(before).toMatchObject({ action: 'ignore' });
    expect(after).toMatchObject({ action: 'remediate', playbook: 'security-group-ingress' });
  });

  it('never acts on a resource of another type than its playbook takes', () => {
    // Prepare: a restricted-ssh result about a network interface.
    const event = loadDemoEvent<{ detail: Json }>(POSTURE_EVENTS.INCOMING_SSH_DISABLED);
    Object.assign(event.detail, {
      resourceType: 'AWS::EC2::NetworkInterface',
      resourceId: 'eni-0123456789abcdef0',
    });

    // Act
    const decision = decide(incidentOf(event), settings());

    // Assess
    expect(decision).toMatchObject({
      action: 'notify',
      reason: expect.stringContaining('which cannot act on AWS::EC2::NetworkInterface eni-0123456789abcdef0'),
    });
  });
});

describe('the execution input of a posture fix', () => {
  it('names the group, the rule that judged it with its parameters, and the controls the fix serves', () => {
    // Prepare
    const incident = read(
      incidentOf(loadDemoEvent(POSTURE_EVENTS.VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS)),
      'VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS',
      { authorizedTcpPorts: '443' },
    );
    const decision = decide(incident, settings());

    // Act
    const input = buildExecutionInput(incident, decision, settings(), 'v1');

    // Assess
    expect(input.target).toEqual({
      groupId: 'sg-0c3d4e5f607182930',
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-0c3d4e5f607182930',
      rule: {
        identifier: 'VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS',
        name: 'securityhub-vpc-sg-open-only-to-authorized-ports-5d2e1f',
        parameters: { authorizedTcpPorts: '443' },
        parametersKnown: true,
      },
    });
    expect(input.controls).toContain('SecurityHub/EC2.18');
    expect(input.controls).toContain('NIST-800-53-r5/SC-7');
  });

  it('says the parameters are unknown when the rule was identified by its name only', () => {
    // Prepare
    const incident = incidentOf(loadDemoEvent(POSTURE_EVENTS.RESTRICTED_INCOMING_TRAFFIC));

    // Act
    const input = buildExecutionInput(incident, decide(incident, settings()), settings(), 'v1');

    // Assess
    expect(input.target).toMatchObject({
      rule: { identifier: 'RESTRICTED_INCOMING_TRAFFIC', parameters: {}, parametersKnown: false },
    });
  });

  it('carries no controls for an incident that is not a Config result', () => {
    // Prepare
    const incident = incidentOf(loadDemoEvent(POSTURE_EVENTS.INCOMING_SSH_DISABLED));
    const guardDuty = {
      ...incident,
      source: 'guardduty',
      facts: { source: 'cloudwatch', alarmName: 'x', state: 'ALARM' },
    };

    // Act
    const input = buildExecutionInput(guardDuty as Incident, decide(incident, settings()), settings(), 'v1');

    // Assess
    expect(input.controls).toEqual([]);
  });
});
