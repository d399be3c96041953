import { describe, expect, it } from 'vitest';
import {
  CONFIG_RULE_SEVERITIES,
  configRuleSeverity,
  UNDECLARED_RULE_SCORE,
} from '../../src/intake/config-rules.ts';
import { severityLabel } from '../../src/intake/incident.ts';
import { defaultConfigRulePlaybooks } from '../../src/playbooks/catalog.ts';
import { CONFIG_RULES, type ConfigRuleId, SEVERITY_SCORES } from '../../src/playbooks/config-rules.ts';

describe('config rule severities', () => {
  it('rate a rule of the table by its identifier, or by its default name when the identifier is unknown', () => {
    expect(
      configRuleSeverity({
        rule: 'renamed-by-control-tower',
        identifier: 'S3_BUCKET_PUBLIC_READ_PROHIBITED',
      }),
    ).toMatchObject({ score: 9, declaredBy: 'severity-table' });
    expect(configRuleSeverity({ rule: 's3-bucket-public-write-prohibited' })).toMatchObject({
      score: 9,
      declaredBy: 'severity-table',
    });
  });

  it('rate a rule a playbook knows with the severity its declaration gives, by identifier or by name', () => {
    for (const identifier of Object.keys(defaultConfigRulePlaybooks()) as ConfigRuleId[]) {
      // S3.2/S3.3's rules are in the severity table as well (same Critical score): the table answers first.
      const inTable = CONFIG_RULE_SEVERITIES.some((entry) => entry.identifier === identifier);
      const expected = {
        score: SEVERITY_SCORES[CONFIG_RULES[identifier].severity],
        declaredBy: inTable ? 'severity-table' : 'playbook',
      };
      expect(configRuleSeverity({ rule: 'named-by-a-team', identifier })).toMatchObject(expected);
      expect(configRuleSeverity({ rule: CONFIG_RULES[identifier].name })).toMatchObject(expected);
    }
    // The stale-credentials rules stay medium, as before; the security-group rules are high (Security Hub).
    expect(severityLabel(configRuleSeverity({ rule: 'access-keys-rotated' }).score)).toBe('medium');
    expect(severityLabel(configRuleSeverity({ rule: 'restricted-ssh' }).score)).toBe('high');
  });

  it('rate every other rule low', () => {
    for (const rule of ['required-tags', 'constructor', '__proto__', '']) {
      expect(configRuleSeverity({ rule })).toMatchObject({
        score: UNDECLARED_RULE_SCORE,
        declaredBy: 'undeclared',
        reason: `no severity is declared for ${rule}, so its results are low`,
      });
    }
    expect(severityLabel(UNDECLARED_RULE_SCORE)).toBe('low');
  });

  it('declare each rule once, in range, with its source', () => {
    const identifiers = CONFIG_RULE_SEVERITIES.map((entry) => entry.identifier);
    expect(new Set(identifiers).size).toBe(identifiers.length);
    for (const entry of CONFIG_RULE_SEVERITIES) {
      expect(entry.identifier).toMatch(/^[A-Z0-9_]+$/);
      expect(entry.rule).toMatch(/^[a-z0-9-]+$/);
      expect(entry.score).toBeGreaterThanOrEqual(0);
      expect(entry.score).toBeLessThanOrEqual(10);
      expect(entry.source).toMatch(/https:\/\/docs\.aws\.amazon\.com\//);
    }
  });
});
