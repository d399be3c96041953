import { describe, expect, it } from 'vitest';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = POSTURE_EVENTS.IAM_PASSWORD_POLICY;

describe('password-policy: iam-password-policy under a Security Hub name', () => {
  it('sets the settings’ policy without asking, keeps the stricter length, and the release puts the weak policy back exactly', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const before = sandboxForEvent(event).sandbox.iam.snapshot().passwordPolicy;

    // Act
    const { sandbox, deployment, execution, incident } = await runScenario(event);

    // Assess
    expect(before).toMatchObject({
      minimumPasswordLength: 16,
      requireSymbols: false,
      passwordReusePrevention: 5,
    });
    expect(execution?.steps.map((step) => step.id)).toEqual(['enforce-password-policy', 'notify']);
    expect(sandbox.iam.snapshot().passwordPolicy).toEqual({
      minimumPasswordLength: 16,
      requireSymbols: true,
      requireNumbers: true,
      requireUppercaseCharacters: true,
      requireLowercaseCharacters: true,
      allowUsersToChangePassword: true,
      maxPasswordAge: 90,
      passwordReusePrevention: 24,
      hardExpiry: false,
    });
    const fix = (await ledgerEntries(deployment, incident.id)).filter(
      (entry) => entry.step === 'enforce-password-policy',
    );
    expect(fix.length).toBeGreaterThan(0);
    expect(
      fix.every(
        (entry) => entry.controls?.includes('SecurityHub/IAM.7') && entry.controls.includes('CIS-1.4.0/1.8'),
      ),
    ).toBe(true);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(sandbox.iam.snapshot().passwordPolicy).toEqual(before);
  });
});
