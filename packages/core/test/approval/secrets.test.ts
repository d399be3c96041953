import { describe, expect, it } from 'vitest';
import { APPROVAL_SECRETS, approvalSecretParameters } from '../../src/approval/secrets.ts';
import { SettingsStageInvalidError } from '../../src/errors.ts';

describe('approvalSecretParameters', () => {
  it("names each approval secret's SSM parameter under /cordon/<stage>/secrets/", () => {
    // Act
    const parameters = approvalSecretParameters('prod');

    // Assess
    expect(parameters).toStrictEqual({
      'link-signing-key': '/cordon/prod/secrets/link-signing-key',
      'slack-signing-secret': '/cordon/prod/secrets/slack-signing-secret',
      'slack-bot-token': '/cordon/prod/secrets/slack-bot-token',
      'slack-webhook-url': '/cordon/prod/secrets/slack-webhook-url',
    });
    expect(Object.keys(parameters).sort()).toEqual([...APPROVAL_SECRETS].sort());
  });

  it('keeps stages apart: one stage never reads the secrets of another', () => {
    const dev = Object.values(approvalSecretParameters('dev'));
    const prod = Object.values(approvalSecretParameters('prod'));
    expect(dev.every((name) => name.startsWith('/cordon/dev/secrets/'))).toBe(true);
    expect(dev.filter((name) => prod.includes(name))).toEqual([]);
  });

  it('refuses a stage that would escape its path, with a named error', () => {
    expect(() => approvalSecretParameters('prod/../other')).toThrow(SettingsStageInvalidError);
  });
});
