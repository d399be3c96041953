import { describe, expect, it } from 'vitest';
import { automaticApprovals } from '../../packages/local/src/engine.ts';
import { CONFIG_SEEDS } from '../../packages/local/src/seed-config.ts';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import {
  groupOf,
  groupRules,
  ledgerEntries,
  loadDemoEvent,
  POSTURE_EVENTS,
  startRelease,
} from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = POSTURE_EVENTS.INCOMING_SSH_DISABLED;

const WORLD_SSH = [
  '{"direction":"ingress","protocol":"tcp","fromPort":22,"toPort":22,"peer":{"kind":"ipv4","value":"0.0.0.0/0"},"description":"ssh from anywhere","tags":{"team":"web"}}',
  '{"direction":"ingress","protocol":"tcp","fromPort":22,"toPort":22,"peer":{"kind":"ipv6","value":"::/0"},"description":"ssh from anywhere (IPv6)"}',
];

describe('security-group-ingress: restricted-ssh under a conformance pack name', () => {
  it('revokes exactly the world-open SSH rules at once, and the release puts them back exactly', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const groupId = groupOf(event);
    // The group as seeding makes it (seeding is deterministic): what the release must give back.
    const before = groupRules(sandboxForEvent(event).sandbox, groupId);
    const { sandbox, deployment, execution, result } = await runScenario(event);

    // Assess: the fix ran without asking (restricted-ssh is automatic by default) and removed only SSH from anywhere.
    expect(result.outcome).toBe('started');
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.steps.map((step) => step.id)).toEqual(['revoke-open-ingress', 'notify']);
    const fixed = groupRules(sandbox, groupId);
    expect(fixed).toEqual(before.filter((rule) => !WORLD_SSH.includes(rule)));
    expect(before.filter((rule) => !fixed.includes(rule)).sort()).toEqual([...WORLD_SSH].sort());

    // Act: a responder releases it.
    const release = await startRelease(deployment, execution);

    // Assess: asked first, then every revoked rule is back with its description and tags.
    expect(release.status).toBe('SUCCEEDED');
    expect(release.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'release-remediation',
      'notify',
    ]);
    expect(groupRules(sandbox, groupId)).toEqual(before);
  });

  it('records the controls the fix serves on every ledger entry of the fix, and identifies the rule by its source identifier', async () => {
    // Prepare
    const { deployment, incident, execution } = await runScenario(loadDemoEvent(EVENT));

    // Act
    const entries = await ledgerEntries(deployment, incident.id);

    // Assess
    const fix = entries.filter((entry) => entry.step === 'revoke-open-ingress');
    expect(fix.map((entry) => entry.outcome)).toEqual(['planned', 'done']);
    for (const entry of fix) expect(entry.controls).toContain('SecurityHub/EC2.13');
    expect(fix[0]?.controls).toContain('CIS-1.2.0/4.1');
    expect(
      entries.filter((entry) => entry.step === 'notify').every((entry) => entry.controls === undefined),
    ).toBe(true);
    expect(execution?.input.target).toMatchObject({
      rule: { identifier: 'INCOMING_SSH_DISABLED', parametersKnown: true },
    });
  });

  it('releases nothing a second time: the rules are back already', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const { sandbox, deployment, execution } = await runScenario(event);
    await startRelease(deployment, execution, 'first');
    const released = groupRules(sandbox, groupOf(event));

    // Act
    const again = await startRelease(deployment, execution, 'second');

    // Assess
    expect(again.status).toBe('SUCCEEDED');
    expect(again.steps.find((step) => step.id === 'release-remediation')?.outcome).toBe('already-done');
    expect(groupRules(sandbox, groupOf(event))).toEqual(released);
  });

  it('never releases without a decision: a rejected release changes nothing', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const { sandbox, deployment, execution } = await runScenario(event);
    const fixed = groupRules(sandbox, groupOf(event));
    deployment.approvals = automaticApprovals('reject');

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(release.steps.map((step) => step.id)).not.toContain('release-remediation');
    expect(groupRules(sandbox, groupOf(event))).toEqual(fixed);
  });

  it('changes nothing in dry-run', async () => {
    // Prepare: the group as seeding makes it (seeding is deterministic).
    const event = loadDemoEvent(EVENT);
    const seeded = groupRules(sandboxForEvent(event).sandbox, groupOf(event));

    // Act
    const { sandbox, execution } = await runScenario(event, { settings: { mode: 'dry-run' } });

    // Assess
    expect(execution?.steps.find((step) => step.id === 'revoke-open-ingress')?.outcome).toBe('dry-run');
    expect(groupRules(sandbox, groupOf(event))).toEqual(seeded);
  });

  it('identifies the rule by its source identifier under a Control Tower name the name alone says nothing about', async () => {
    // Prepare: the same result, from a rule deployed as Control Tower names it.
    const event = loadDemoEvent<{ detail: Record<string, unknown> }>(EVENT);
    const name = 'AWSControlTower_AWS-GR_RESTRICTED_SSH';
    event.detail.configRuleName = name;
    const groupId = groupOf(event);

    // Act
    const { sandbox, execution, result } = await runScenario(event, {
      prepare: (prepared) => {
        prepared.config.addRule({ name, sourceIdentifier: 'INCOMING_SSH_DISABLED' });
        CONFIG_SEEDS.INCOMING_SSH_DISABLED?.seed(prepared, {
          resourceId: groupId,
          vpcId: 'vpc-0f1e2d3c4b5a69788',
        });
      },
    });

    // Assess
    expect(result.outcome).toBe('started');
    expect(execution?.status).toBe('SUCCEEDED');
    expect(groupRules(sandbox, groupId).some((rule) => WORLD_SSH.includes(rule))).toBe(false);
  });
});
