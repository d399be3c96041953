import { describe, expect, it } from 'vitest';
import { assertNotBreakGlass, assertNotExempt } from '../../src/actions/guardrails.ts';
import { ExemptResourceError } from '../../src/errors.ts';
import { parseSettings } from '../../src/policy/settings.ts';

// DOMAIN.md item 30: an exempt resource or a break-glass principal is notified about, never acted on.

function settings(overrides: Record<string, unknown> = {}) {
  const parsed = parseSettings(overrides);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.settings;
}

describe('assertNotExempt', () => {
  const exempt = settings({ exemptionTag: { key: 'cordon:exempt', value: 'true' } });

  it('refuses a resource whose tag list carries the exemption tag, saying which tag and why', () => {
    const tags = [
      { Key: 'Name', Value: 'web-1' },
      { Key: 'cordon:exempt', Value: 'true' },
    ];
    expect(() => assertNotExempt(tags, exempt, 'i-0abc')).toThrow(ExemptResourceError);
    expect(() => assertNotExempt(tags, exempt, 'i-0abc')).toThrow(
      'i-0abc carries the exemption tag cordon:exempt=true: Cordon notifies and never acts on it.',
    );
  });

  it('refuses a resource whose tag map (GuardDuty, Config) carries the exemption tag', () => {
    expect(() => assertNotExempt({ Name: 'web-1', 'cordon:exempt': 'true' }, exempt, 'i-0abc')).toThrow(
      ExemptResourceError,
    );
  });

  it('lets a resource through without the tag, with another value, or with no tags at all', () => {
    expect(() => assertNotExempt([{ Key: 'Name', Value: 'cordon:exempt' }], exempt, 'i-0abc')).not.toThrow();
    expect(() => assertNotExempt([{ Key: 'cordon:exempt', Value: 'false' }], exempt, 'i-0abc')).not.toThrow();
    expect(() => assertNotExempt({ 'cordon:exempt': 'TRUE' }, exempt, 'i-0abc')).not.toThrow();
    expect(() => assertNotExempt({ Name: 'web-1' }, exempt, 'i-0abc')).not.toThrow();
    expect(() => assertNotExempt([], exempt, 'i-0abc')).not.toThrow();
    expect(() => assertNotExempt(undefined, exempt, 'i-0abc')).not.toThrow();
  });

  it('reads the tag the settings name', () => {
    const custom = settings({ exemptionTag: { key: 'security:hands-off', value: 'yes' } });
    expect(() => assertNotExempt([{ Key: 'security:hands-off', Value: 'yes' }], custom, 'i-0abc')).toThrow(
      'i-0abc carries the exemption tag security:hands-off=yes',
    );
    expect(() => assertNotExempt([{ Key: 'cordon:exempt', Value: 'true' }], custom, 'i-0abc')).not.toThrow();
  });
});

describe('assertNotBreakGlass', () => {
  const listed = settings({
    breakGlassPrincipals: ['breakglass', 'arn:aws:iam::123456789012:role/path/admin'],
  });

  it('refuses a principal listed by name or at the end of a listed ARN, saying why', () => {
    expect(() => assertNotBreakGlass('breakglass', listed)).toThrow(ExemptResourceError);
    expect(() => assertNotBreakGlass('admin', listed)).toThrow(
      'admin is a break-glass principal: Cordon notifies and never acts on it.',
    );
    expect(() => assertNotBreakGlass('arn:aws:iam::123456789012:role/path/admin', listed)).toThrow(
      ExemptResourceError,
    );
  });

  it('lets any other principal through, even one whose name ends like a listed one', () => {
    expect(() => assertNotBreakGlass('alice', listed)).not.toThrow();
    expect(() => assertNotBreakGlass('notadmin', listed)).not.toThrow();
    expect(() => assertNotBreakGlass('min', listed)).not.toThrow();
    expect(() => assertNotBreakGlass('alice', settings({ breakGlassPrincipals: [] }))).not.toThrow();
  });
});
