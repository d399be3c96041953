import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listEvents, loadEvent, loadEventWithAccount, loadFixture } from '../../../../test/support/events.ts';
import { loadDemoEvent, POSTURE_EVENTS } from '../../../../test/support/posture.ts';
import type { Incident } from '../../src/intake/incident.ts';
import { intake } from '../../src/intake/intake.ts';
import { PLAYBOOKS, plannedSteps } from '../../src/playbooks/catalog.ts';
import { postureOf, postureResourceTypes } from '../../src/playbooks/target-kinds.ts';
import { decide } from '../../src/policy/decision.ts';
import { settingsKeyOf } from '../../src/policy/rule-identification.ts';
import { parseSettings, type Settings } from '../../src/policy/settings.ts';

type Json = Record<string, unknown>;

function settings(overrides: Json = {}): Settings {
  const result = parseSettings(overrides);
  if (!result.ok) throw new Error(result.reason);
  return result.settings;
}

function incidentFrom(event: unknown): Incident {
  const result = intake(event);
  if (!result.accepted) throw new Error(result.reason);
  return result.incident;
}

/** The C&C sample finding, made non-sample and given a severity and network interfaces, as a live one would be. */
function compromisedInstanceEvent(severity: number, tags: Array<{ key: string; value: string }> = []): Json {
  const event = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');
  const detail = event.detail as Json;
  detail.severity = severity;
  (detail.service as Json).additionalInfo = {};
  (detail.resource as Json).instanceDetails = {
    instanceId: 'i-0abc1234def567890',
    tags,
    networkInterfaces: [
      {
        networkInterfaceId: 'eni-01',
        vpcId: 'vpc-1',
        subnetId: 'subnet-1',
        securityGroups: [{ groupId: 'sg-1', groupName: 'web' }],
      },
    ],
  };
  return event;
}

function accessKeyEvent(
  severity: number,
  details: Json,
  type = 'UnauthorizedAccess:IAMUser/TorIPCaller',
): Json {
  const event = loadEvent('guardduty/eb-iam-toripcaller-custodian.json');
  const detail = event.detail as Json;
  detail.severity = severity;
  detail.type = type;
  (detail.service as Json).additionalInfo = {};
  (detail.resource as Json).accessKeyDetails = details;
  return event;
}

describe('decide: what is not an incident', () => {
  it('ignores sample findings unless the settings include them', () => {
    const incident = incidentFrom(loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json'));
    expect(decide(incident, settings()).action).toBe('ignore');
    expect(decide(incident, settings({ includeSampleFindings: true })).action).toBe('remediate');
  });

  it('ignores archived findings', () => {
    const event = compromisedInstanceEvent(8);
    ((event.detail as Json).service as Json).archived = true;
    expect(decide(incidentFrom(event), settings())).toMatchObject({
      action: 'ignore',
      reason: expect.stringMatching(/archived/),
    });
  });

  it('ignores canary findings', () => {
    const incident = incidentFrom(
      loadEvent('guardduty/raw-canary-ec2-stateless-integtest-epoch-launchtime.json'),
    );
    expect(decide(incident, settings({ includeSampleFindings: true })).action).toBe('ignore');
  });

  it('ignores recovered alarms (OK and INSUFFICIENT_DATA)', () => {
    for (const state of ['OK', 'INSUFFICIENT_DATA']) {
      const event = loadEvent('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
      const detail = event.detail as Json;
      detail.alarmName = 'RootAccountUsage';
      (detail.state as Json).value = state;
      expect(decide(incidentFrom(event), settings()).action).toBe('ignore');
    }
  });

  it('ignores COMPLIANT and NOT_APPLICABLE Config results', () => {
    for (const complianceType of ['COMPLIANT', 'NOT_APPLICABLE']) {
      const event = loadFixture<Json>('config-access-keys-rotated-noncompliant.json');
      ((event.detail as Json).newEvaluationResult as Json).complianceType = complianceType;
      expect(decide(incidentFrom(event), settings()).action).toBe('ignore');
    }
  });

  it("ignores findings about Cordon's own principal, so its own denied calls cannot loop", () => {
    const incident = incidentFrom(
      accessKeyEvent(8, {
        accessKeyId: 'ASIAEXAMPLE',
        userName: 'CordonResponder-revoke-sessions',
        userType: 'AssumedRole',
      }),
    );
    expect(decide(incident, settings())).toMatchObject({
      action: 'ignore',
      reason: expect.stringMatching(/Cordon's own/),
    });
  });
});

describe("decide: own principals are Cordon's roles", () => {
  const role = (userName: string) =>
    incidentFrom(accessKeyEvent(8, { accessKeyId: 'ASIAEXAMPLE', userName, userType: 'AssumedRole' }));
  const user = (userName: string) =>
    incidentFrom(accessKeyEvent(8, { accessKeyId: 'AKIAEXAMPLE12345678', userName, userType: 'IAMUser' }));

  it("ignores a finding about a Cordon function's role in the home account, by ARN", () => {
    const incident = role('cordon-prod-triage');
    const identity = { stage: 'prod', homeAccount: incident.account };
    expect(decide(incident, settings(), identity)).toMatchObject({
      action: 'ignore',
      reason: expect.stringContaining(
        `arn:aws:iam::${incident.account}:role/cordon-prod-triage is Cordon's own`,
      ),
    });
  });

  it('does not take a role named like a Cordon function for one outside the home account, or of another stage', () => {
    const incident = role('cordon-prod-triage');
    for (const identity of [
      { stage: 'prod', homeAccount: '999999999999' },
      { stage: 'dev', homeAccount: incident.account },
      undefined,
    ]) {
      const decision = decide(incident, settings(), identity);
      expect(decision.action).not.toBe('ignore');
      expect(decision.reason).toContain("is named like Cordon's own roles but is not one of them");
    }
  });

  it("handles an IAM user named like Cordon's roles (cordon-svc), saying so: never ignored silently", () => {
    const decision = decide(user('cordon-svc'), settings(), { stage: 'prod', homeAccount: '123456789012' });
    expect(decision).toMatchObject({ action: 'remediate', playbook: 'credential-compromise' });
    expect(decision.reason).toMatch(
      /user\/cordon-svc is named like Cordon's own roles but is not one of them/,
    );
  });

  it('never takes a user for an own principal, even one named exactly like a Cordon role', () => {
    const decision = decide(user('CordonResponder-revoke-sessions'), settings());
    expect(decision.action).toBe('remediate');
    expect(decision.reason).toMatch(/named like Cordon's own roles/);
  });

  it('follows the responder prefix of the settings, and the role ARNs they list, in their own account', () => {
    const account = role('x').account;
    const custom = settings({
      responder: { roleName: 'SecOpsResponder' },
      ownPrincipals: [
        `arn:aws:iam::${account}:role/tools/extra-responder`,
        'arn:aws:iam::111122223333:role/elsewhere',
      ],
    });
    expect(decide(role('SecOpsResponderObserver'), custom).action).toBe('ignore');
    // The default prefix is no longer Cordon's under these settings: a look-alike.
    expect(decide(role('CordonResponderObserver'), custom).action).not.toBe('ignore');
    // A listed role matches by account and name (findings name a role without its path).
    expect(decide(role('extra-responder'), custom).action).toBe('ignore');
    expect(decide(role('elsewhere'), custom).action).not.toBe('ignore');
  });

  it('says nothing of principals that look nothing like Cordon', () => {
    expect(decide(user('alice'), settings()).reason).not.toMatch(/Cordon/);
  });
});

describe('decide: EC2', () => {
  it('contains a compromised instance automatically at high severity, evidence first', () => {
    const decision = decide(incidentFrom(compromisedInstanceEvent(8)), settings());
    expect(decision).toMatchObject({
      action: 'remediate',
      playbook: 'ec2-compromise',
      approval: 'auto',
      dryRun: false,
    });
    // contain-instance protects the evidence first, then Standby, then the network (its own tests).
    expect(decision.steps[0]).toBe('contain-instance');
    expect(decision.steps.indexOf('contain-instance')).toBeLessThan(
      decision.steps.indexOf('snapshot-volumes'),
    );
    expect(decision.targets).toEqual([
      expect.objectContaining({ kind: 'ec2-instance', instanceId: 'i-0abc1234def567890' }),
    ]);
  });

  it('asks for approval at medium severity, before the first change', () => {
    const decision = decide(incidentFrom(compromisedInstanceEvent(5)), settings());
    expect(decision).toMatchObject({ action: 'remediate', approval: 'required' });
    expect(decision.steps[0]).toBe('request-approval');
  });

  it('only notifies below the approval threshold', () => {
    expect(decide(incidentFrom(compromisedInstanceEvent(3)), settings())).toMatchObject({
      action: 'notify',
      playbook: 'notify-only',
    });
  });

  it('never isolates a victim of an inbound brute force', () => {
    const incident = incidentFrom(
      loadEventWithAccount('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json'),
    );
    const decision = decide(
      incident,
      settings({ includeSampleFindings: true, severity: { autoRemediateAt: 1, approvalAt: 1 } }),
    );
    expect(decision).toMatchObject({ action: 'notify', playbook: 'notify-only', steps: ['notify'] });
  });

  it('only notifies for Runtime Monitoring findings, even on an EC2 host', () => {
    const event = compromisedInstanceEvent(8);
    (event.detail as Json).type = 'Execution:Runtime/ReverseShell';
    expect(decide(incidentFrom(event), settings())).toMatchObject({
      action: 'notify',
      playbook: 'notify-only',
    });
  });

  it('notifies, never acts, when the instance carries the exemption tag', () => {
    const decision = decide(
      incidentFrom(compromisedInstanceEvent(9, [{ key: 'cordon:exempt', value: 'true' }])),
      settings(),
    );
    expect(decision).toMatchObject({ action: 'notify', reason: expect.stringMatching(/exemption tag/) });
  });

  it('honours a custom exemption tag', () => {
    const event = compromisedInstanceEvent(9, [{ key: 'security', value: 'hands-off' }]);
    expect(decide(incidentFrom(event), settings()).action).toBe('remediate');
    expect(
      decide(incidentFrom(event), settings({ exemptionTag: { key: 'security', value: 'hands-off' } })).action,
    ).toBe('notify');
  });
});

describe('decide: credentials', () => {
  it('deactivates a long-term key and denies the sessions it minted', () => {
    const decision = decide(
      incidentFrom(
        accessKeyEvent(8, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'alice', userType: 'IAMUser' }),
      ),
      settings(),
    );
    expect(decision).toMatchObject({
      action: 'remediate',
      playbook: 'credential-compromise',
      approval: 'auto',
    });
    expect(decision.steps).toEqual(['deactivate-access-key', 'revoke-sessions', 'notify']);
  });

  it('never schedules a key deactivation without a key: sessions of the named user are denied instead', () => {
    const decision = decide(
      incidentFrom(accessKeyEvent(8, { userName: 'alice', userType: 'IAMUser' })),
      settings(),
    );
    expect(decision).toMatchObject({ action: 'remediate', steps: ['revoke-sessions', 'notify'] });
  });

  it('deactivates a named key even when the finding names no user, and writes no session deny', () => {
    const decision = decide(
      incidentFrom(accessKeyEvent(8, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userType: 'IAMUser' })),
      settings(),
    );
    expect(decision).toMatchObject({ action: 'remediate', steps: ['deactivate-access-key', 'notify'] });
  });

  it('only notifies when the finding names neither the user nor a long-term key', () => {
    const decision = decide(
      incidentFrom(accessKeyEvent(8, { userType: 'IAMUser', principalId: 'AIDAEXAMPLE' })),
      settings(),
    );
    expect(decision.action).toBe('notify');
  });

  it('removes console access when the finding says the console was used', () => {
    const event = accessKeyEvent(
      8,
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'alice', userType: 'IAMUser' },
      'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
    );
    expect(decide(incidentFrom(event), settings()).steps).toContain('disable-console-access');
  });

  it('requires approval to deny a role session, since it hits every session of the role', () => {
    const decision = decide(
      incidentFrom(
        accessKeyEvent(9, { accessKeyId: 'ASIAEXAMPLE', userName: 'app-role', userType: 'AssumedRole' }),
      ),
      settings(),
    );
    expect(decision).toMatchObject({
      action: 'remediate',
      approval: 'required',
      steps: ['request-approval', 'revoke-sessions', 'notify'],
    });
  });

  it('never revokes root: notify, critical', () => {
    const incident = incidentFrom(
      loadEventWithAccount('guardduty/eb-pascalcase-root-credential-usage-placeholders.json'),
    );
    expect(decide(incident, settings())).toMatchObject({
      action: 'notify',
      playbook: 'root-activity',
      steps: ['notify'],
    });
  });

  it('notifies, never acts, for a break-glass principal', () => {
    const event = accessKeyEvent(9, {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'breakglass',
      userType: 'IAMUser',
    });
    const decision = decide(
      incidentFrom(event),
      settings({ breakGlassPrincipals: ['arn:aws:iam::883606788610:user/breakglass'] }),
    );
    expect(decision).toMatchObject({ action: 'notify', reason: expect.stringMatching(/break-glass/) });
  });
});

describe('decide: attack sequences, alarms, Config, mode', () => {
  it('never acts on an attack sequence without approval', () => {
    const sequence = incidentFrom(
      loadEvent('guardduty/raw-attacksequence-iam-compromised-credentials-panther.json'),
    );
    const withKey = incidentFrom(
      accessKeyEvent(
        9.5,
        { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'alice', userType: 'IAMUser' },
        'AttackSequence:IAM/CompromisedCredentials',
      ),
    );
    for (const incident of [sequence, withKey]) {
      const decision = decide(incident, settings({ severity: { autoRemediateAt: 1, approvalAt: 1 } }));
      expect(decision.action === 'remediate' ? decision.approval : 'not acted on').not.toBe('auto');
      expect(decision.action).not.toBe('ignore');
    }
  });

  it('maps the CIS root alarm to root-activity and an unmapped alarm to nothing', () => {
    const event = loadEvent('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
    expect(decide(incidentFrom(event), settings()).action).toBe('ignore');
    (event.detail as Json).alarmName = 'RootAccountUsage';
    expect(decide(incidentFrom(event), settings())).toMatchObject({
      action: 'notify',
      playbook: 'root-activity',
    });
  });

  it('deactivates stale keys named by access-keys-rotated, with approval', () => {
    const decision = decide(
      incidentFrom(loadFixture('config-access-keys-rotated-noncompliant.json')),
      settings(),
    );
    expect(decision).toMatchObject({
      action: 'remediate',
      playbook: 'stale-credentials',
      approval: 'required',
      steps: ['request-approval', 'deactivate-access-key', 'notify'],
    });
  });

  it('only notifies for Config rules that are not mapped', () => {
    const event = loadFixture<Json>('config-access-keys-rotated-noncompliant.json');
    (event.detail as Json).configRuleName = 's3-bucket-public-read-prohibited';
    // Routed by default since issue 14: a team that maps it to notify-only gets a notification, no change.
    const mapped = settings({
      configRulePlaybooks: {
        S3_BUCKET_PUBLIC_READ_PROHIBITED: { playbook: 'notify-only', approval: 'required' },
      },
    });
    expect(decide(incidentFrom(event), mapped)).toMatchObject({
      action: 'notify',
      playbook: 'notify-only',
    });
  });

  it('turns every remediation into a notification in notify-only mode', () => {
    expect(
      decide(incidentFrom(compromisedInstanceEvent(9)), settings({ mode: 'notify-only' })),
    ).toMatchObject({ action: 'notify' });
  });

  it('keeps the plan and marks it dry-run in dry-run mode', () => {
    expect(decide(incidentFrom(compromisedInstanceEvent(9)), settings({ mode: 'dry-run' }))).toMatchObject({
      action: 'remediate',
      playbook: 'ec2-compromise',
      dryRun: true,
    });
  });
});

describe('decide: routing through the playbook catalog', () => {
  it('runs a Config result as the playbook the settings map its rule to, with the approval of the mapping', () => {
    // Prepare
    const incident = incidentFrom(loadFixture('config-access-keys-rotated-noncompliant.json'));

    // Act
    const auto = decide(
      incident,
      settings({
        configRulePlaybooks: { 'access-keys-rotated': { playbook: 'stale-credentials', approval: 'auto' } },
      }),
    );
    const notified = decide(
      incident,
      settings({
        configRulePlaybooks: { 'access-keys-rotated': { playbook: 'notify-only', approval: 'auto' } },
      }),
    );

    // Assess
    expect(auto).toMatchObject({
      action: 'remediate',
      playbook: 'stale-credentials',
      approval: 'auto',
      steps: plannedSteps('stale-credentials'),
      targets: [expect.objectContaining({ kind: 'iam-user' })],
    });
    expect(auto.reason).toContain(
      'settings.configRulePlaybooks maps ACCESS_KEYS_ROTATED to stale-credentials',
    );
    expect(notified).toMatchObject({ action: 'notify', playbook: 'notify-only', targets: [] });
  });

  it('only notifies when a mapped Config rule evaluated a resource its playbook cannot act on', () => {
    // Prepare: the rule is mapped to stale-credentials, but the result is about a bucket, not an IAM user.
    const event = loadFixture<Json>('config-access-keys-rotated-noncompliant.json');
    Object.assign(event.detail as Json, { resourceType: 'AWS::S3::Bucket', resourceId: 'my-bucket' });

    // Act
    const decision = decide(incidentFrom(event), settings());

    // Assess
    expect(decision).toMatchObject({
      action: 'notify',
      playbook: 'notify-only',
      reason: expect.stringMatching(
        /maps to stale-credentials, which cannot act on AWS::S3::Bucket my-bucket/,
      ),
    });
  });

  it('never runs a playbook for a Config rule it does not know, even when settings were made around the schema', () => {
    // Prepare: stale-credentials knows how access-keys-rotated judges a key; it cannot know a custom rule's.
    const event = loadFixture<Json>('config-access-keys-rotated-noncompliant.json');
    (event.detail as Json).configRuleName = 'my-custom-rule';
    const around = {
      ...settings(),
      configRulePlaybooks: {
        'my-custom-rule': { playbook: 'stale-credentials' as const, approval: 'auto' as const },
      },
    };

    // Act
    const decision = decide(incidentFrom(event), around);

    // Assess
    expect(decision).toMatchObject({
      action: 'notify',
      playbook: 'notify-only',
      reason: expect.stringContaining('stale-credentials cannot act on results of my-custom-rule'),
    });
  });

  it('runs an alarm as the playbook it is mapped to, and never acts on one even when settings were made around the schema', () => {
    // Prepare
    const event = loadEvent('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
    (event.detail as Json).alarmName = 'UnauthorizedAPICalls';
    const incident = incidentFrom(event);
    // Settings that never went through the schema, which refuses this mapping.
    const around = { ...settings(), alarmPlaybooks: { UnauthorizedAPICalls: 'ec2-compromise' as const } };

    // Act
    const mapped = decide(incident, settings());
    const refused = decide(incident, around);

    // Assess
    expect(mapped).toMatchObject({
      action: 'notify',
      playbook: 'notify-only',
      reason: expect.stringContaining('settings.alarmPlaybooks maps it to notify-only'),
    });
    expect(refused).toMatchObject({
      action: 'notify',
      playbook: 'notify-only',
      reason: expect.stringContaining('An alarm names no resource to act on'),
    });
  });

  it('routes every bundled event to a playbook that declares what the incident is, running its declared steps in order', () => {
    // Prepare: thresholds at the bottom, so that every event that can be acted on is.
    const permissive = settings({
      includeSampleFindings: true,
      severity: { autoRemediateAt: 1, approvalAt: 1 },
    });
    const remediated = new Set<string>();
    const events: Array<[string, unknown]> = [
      ...listEvents().map((name): [string, unknown] => [name, loadEvent(name)]),
      ['config fixture', loadFixture('config-access-keys-rotated-noncompliant.json')],
      ...Object.values(POSTURE_EVENTS).map((name): [string, unknown] => [name, loadDemoEvent(name)]),
    ];

    for (const [name, event] of events) {
      const result = intake(event);
      if (!result.accepted) continue;
      const incident = result.incident;

      // Act
      const decision = decide(incident, permissive);

      // Assess
      if (decision.playbook === null) continue;
      const playbook = PLAYBOOKS[decision.playbook];
      const planned = plannedSteps(decision.playbook);
      const steps = decision.steps.filter((step) => step !== 'request-approval');
      expect(
        steps.map((step) => planned.indexOf(step)),
        name,
      ).toEqual([...steps.map((step) => planned.indexOf(step))].sort((a, b) => a - b));
      expect(
        steps.every((step) => planned.includes(step)),
        name,
      ).toBe(true);
      if (decision.action !== 'remediate') continue;
      remediated.add(playbook.id);
      const facts = incident.facts;
      const routed =
        facts.source === 'guardduty'
          ? playbook.routes.findings?.includes(incident.category)
          : facts.source === 'config'
            ? permissive.configRulePlaybooks[settingsKeyOf(facts)]?.playbook === playbook.id
            : false;
      expect(routed, name).toBe(true);
      const posture = postureOf(playbook.target);
      expect(
        decision.targets.every((target) =>
          posture === undefined
            ? target.kind === playbook.target
            : target.kind === 'aws-resource' && postureResourceTypes(posture).includes(target.resourceType),
        ),
        name,
      ).toBe(true);
    }
    expect([...remediated].sort()).toEqual([
      'credential-compromise',
      'default-security-group',
      'ebs-encryption-by-default',
      'ec2-compromise',
      'kms-key-rotation',
      'password-policy',
      'public-snapshots',
      'rds-instance-public-access',
      'rds-snapshots-public',
      's3-account-public-access',
      's3-bucket-default-encryption',
      's3-bucket-public-access',
      's3-bucket-secure-transport',
      'security-group-ingress',
      'stale-credentials',
      'trail-log-file-validation',
      'trail-logging',
    ]);
  });
});

describe('decide: properties', () => {
  const events = listEvents().map((name) => loadEvent<unknown>(name));

  /** Random and mutated events: real events with values replaced, deleted or re-typed at random paths. */
  const mutatedEvent = fc
    .tuple(
      fc.constantFrom(...events),
      fc.array(fc.tuple(fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }), fc.jsonValue()), {
        maxLength: 6,
      }),
      fc.array(fc.nat(), { maxLength: 6 }),
    )
    .map(([base, mutations, picks]) => mutate(structuredClone(base), mutations, picks));

  const settingsArbitrary = fc.record({
    mode: fc.constantFrom('enforce', 'dry-run', 'notify-only'),
    includeSampleFindings: fc.boolean(),
  });

  it('never throws and never remediates without a resource to act on (10,000 random and mutated events)', () => {
    fc.assert(
      fc.property(
        fc.oneof(mutatedEvent, fc.jsonValue(), fc.anything()),
        settingsArbitrary,
        (event, overrides) => {
          const result = intake(event);
          if (!result.accepted) {
            expect(result.reason.length).toBeGreaterThan(0);
            return;
          }
          const decision = decide(result.incident, settings(overrides));
          if (decision.action === 'remediate') {
            expect(decision.targets.length).toBeGreaterThan(0);
            expect(decision.playbook).not.toBeNull();
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });
});

/** Applies each mutation at a path chosen among the event's own keys (picks) or given (strings). */
function mutate(event: unknown, mutations: Array<[string[], unknown]>, picks: number[]): unknown {
  mutations.forEach(([path, value], index) => {
    let node = event;
    const steps = path.length > 0 ? path : [];
    for (let depth = 0; depth < 4 && node !== null && typeof node === 'object'; depth += 1) {
      const keys = Object.keys(node as object);
      if (keys.length === 0) break;
      const key =
        steps[depth] ?? keys[(picks[(index + depth) % Math.max(picks.length, 1)] ?? 0) % keys.length] ?? '';
      if (depth === 3 || !(key in (node as object))) {
        (node as Record<string, unknown>)[key] = value;
        return;
      }
      const next = (node as Record<string, unknown>)[key];
      if (next === null || typeof next !== 'object') {
        if (value === undefined) delete (node as Record<string, unknown>)[key];
        else (node as Record<string, unknown>)[key] = value;
        return;
      }
      node = next;
    }
  });
  return event;
}
