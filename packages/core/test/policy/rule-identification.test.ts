import { describe, expect, it, vi } from 'vitest';
import { loadFixture } from '../../../../test/support/events.ts';
import { loadDemoEvent, POSTURE_EVENTS } from '../../../../test/support/posture.ts';
import type { Incident } from '../../src/intake/incident.ts';
import { intake } from '../../src/intake/intake.ts';
import { configRuleRoute } from '../../src/playbooks/catalog.ts';
import {
  CONFIG_RULE_IDS,
  CONFIG_RULES,
  configRule,
  ruleIdentifierFromName,
  settingsRuleKey,
} from '../../src/playbooks/config-rules.ts';
import {
  cachedConfigRules,
  type DescribeConfigRule,
  identifyConfigRule,
  parseRuleParameters,
  settingsKeyOf,
} from '../../src/policy/rule-identification.ts';

type Json = Record<string, unknown>;

function incidentOf(event: unknown): Incident {
  const result = intake(event);
  if (!result.accepted) throw new Error(result.reason);
  return result.incident;
}

/** The restricted-ssh result, with the rule deployed under `name`. */
function sshResult(name: string): Incident {
  const event = loadDemoEvent<{ detail: Json }>(POSTURE_EVENTS.INCOMING_SSH_DISABLED);
  event.detail.configRuleName = name;
  return incidentOf(event);
}

describe('a Config rule identified by its name alone', () => {
  it.each([
    ['restricted-ssh', 'INCOMING_SSH_DISABLED'],
    ['restricted-ssh-conformance-pack-k3lqt8bvs', 'INCOMING_SSH_DISABLED'],
    ['securityhub-restricted-ssh-9f8e7d', 'INCOMING_SSH_DISABLED'],
    ['securityhub-restricted-rdp-1a2b3c', 'RESTRICTED_INCOMING_TRAFFIC'],
    ['securityhub-vpc-default-security-group-closed-4a1b2c', 'VPC_DEFAULT_SECURITY_GROUP_CLOSED'],
    ['access-keys-rotated-conformance-pack-k3lqt8bvs', 'ACCESS_KEYS_ROTATED'],
  ])('%s is %s', (name, identifier) => {
    expect(ruleIdentifierFromName(name)).toBe(identifier);
  });

  it.each([
    'AWSControlTower_AWS-GR_RESTRICTED_SSH',
    'my-ssh-check',
    'restricted-ssh-but-custom',
    'securityhub-restricted-ssh',
    'toString',
  ])('%s names no rule: only its source identifier can say', (name) => {
    expect(ruleIdentifierFromName(name)).toBeUndefined();
  });

  it('reads a settings key as the identifier it stands for', () => {
    expect(settingsRuleKey('restricted-ssh')).toBe('INCOMING_SSH_DISABLED');
    expect(settingsRuleKey('INCOMING_SSH_DISABLED')).toBe('INCOMING_SSH_DISABLED');
    expect(settingsRuleKey('my-custom-rule')).toBe('my-custom-rule');
    expect(settingsRuleKey('__proto__')).toBe('__proto__');
  });

  it('declares each rule under its own identifier, with its Config Developer Guide page named after it', () => {
    for (const id of CONFIG_RULE_IDS) {
      const rule = CONFIG_RULES[id];
      expect(rule.identifier).toBe(id);
      expect(rule.docs).toBe(`https://docs.aws.amazon.com/config/latest/developerguide/${rule.name}.html`);
      expect(configRule(id)).toBe(rule);
    }
    expect(configRule('constructor')).toBeUndefined();
  });
});

describe('intake: a Config result before its rule is read', () => {
  it('gives a result of a declared rule its declared severity and the category of its route', () => {
    // Act
    const incident = sshResult('restricted-ssh-conformance-pack-k3lqt8bvs');

    // Assess
    expect(incident.severity).toEqual({ score: 7, label: 'high' });
    expect(incident.facts).toMatchObject({ rule: { identifier: 'INCOMING_SSH_DISABLED', by: 'name' } });
  });

  it('makes a result of a rule nobody declared low, so that it does not page', () => {
    // Act
    const incident = sshResult('required-tags');

    // Assess
    expect(incident.severity.label).toBe('low');
    expect(incident.category).toBe('noncompliant-resource');
    expect(incident.facts).toMatchObject({ rule: { by: 'none' } });
  });

  it('keeps stale-credentials results medium, as their rules are declared', () => {
    expect(incidentOf(loadFixture('config-access-keys-rotated-noncompliant.json')).severity).toEqual({
      score: 5,
      label: 'medium',
    });
  });
});

describe('identifyConfigRule', () => {
  const described = (answer: Awaited<ReturnType<DescribeConfigRule>>): DescribeConfigRule =>
    vi.fn(async () => answer);

  it('identifies a managed rule by its source identifier, whatever its name, with its parameters', async () => {
    // Prepare
    const incident = sshResult('AWSControlTower_AWS-GR_RESTRICTED_SSH');
    const describe = described({
      name: 'AWSControlTower_AWS-GR_RESTRICTED_SSH',
      owner: 'AWS',
      sourceIdentifier: 'INCOMING_SSH_DISABLED',
      parameters: {},
    });

    // Act
    const identified = await identifyConfigRule(incident, describe);

    // Assess
    expect(describe).toHaveBeenCalledWith({
      account: incident.account,
      region: incident.region,
      ruleName: 'AWSControlTower_AWS-GR_RESTRICTED_SSH',
    });
    expect(identified.facts).toMatchObject({
      rule: { identifier: 'INCOMING_SSH_DISABLED', by: 'source-identifier', owner: 'AWS', parameters: {} },
    });
    expect(identified.severity.label).toBe('high');
    expect(incident.severity.label).toBe('low');
    expect(identified.notes).toContainEqual(
      expect.stringContaining('the managed rule INCOMING_SSH_DISABLED'),
    );
    expect(identified.notes.at(-1)).toBe(
      'Severity 7: INCOMING_SSH_DISABLED is declared high (packages/core/src/playbooks/config-rules.ts) and a playbook acts on it.',
    );
    expect(identified.facts).toMatchObject({ severityDeclaredBy: 'playbook' });
    expect(identified.facts.source === 'config' && settingsKeyOf(identified.facts)).toBe(
      'INCOMING_SSH_DISABLED',
    );
  });

  it('takes a custom rule named like a managed one for what it is: custom, mapped by its name, low', async () => {
    // Prepare
    const incident = sshResult('restricted-ssh');

    // Act
    const identified = await identifyConfigRule(
      incident,
      described({
        name: 'restricted-ssh',
        owner: 'CUSTOM_LAMBDA',
        sourceIdentifier: 'arn:aws:lambda:us-east-1:123456789012:function:ssh',
        parameters: {},
      }),
    );

    // Assess
    expect(identified.facts).toMatchObject({ rule: { by: 'source-identifier', owner: 'CUSTOM_LAMBDA' } });
    expect(identified.facts.source === 'config' && identified.facts.rule?.identifier).toBeUndefined();
    expect(identified.severity.label).toBe('low');
    expect(identified.facts.source === 'config' && settingsKeyOf(identified.facts)).toBe('restricted-ssh');
  });

  it('keeps the name when the rule cannot be read, says why, and warns', async () => {
    // Prepare
    const incident = sshResult('restricted-ssh-conformance-pack-k3lqt8bvs');
    const warn = vi.fn();
    const failing: DescribeConfigRule = async () => {
      throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    };

    // Act
    const identified = await identifyConfigRule(incident, failing, { warn });

    // Assess
    expect(identified.facts).toEqual(incident.facts);
    expect(identified.notes.at(-1)).toContain(
      'could not be read (DescribeConfigRules failed: AccessDeniedException)',
    );
    expect(identified.notes.at(-1)).toContain('its parameters are unknown');
    expect(warn).toHaveBeenCalledOnce();
  });

  it('leaves any other incident alone, without reading anything', async () => {
    // Prepare
    const describe = described(undefined);
    const incident = incidentOf(loadFixture('config-access-keys-rotated-noncompliant.json'));
    const notConfig = {
      ...incident,
      facts: { ...incident.facts, source: 'guardduty' },
    } as unknown as Incident;

    // Act
    const same = await identifyConfigRule(notConfig, describe);

    // Assess
    expect(same).toBe(notConfig);
    expect(describe).not.toHaveBeenCalled();
  });
});

describe('the rule cache', () => {
  it('reads a rule once per account, region and name within its time to live, and again after', async () => {
    // Prepare
    let now = 0;
    const describe = vi.fn<DescribeConfigRule>(async ({ ruleName }) => ({
      name: ruleName,
      owner: 'AWS',
      sourceIdentifier: 'INCOMING_SSH_DISABLED',
      parameters: {},
    }));
    const cached = cachedConfigRules(describe, { ttlSeconds: 60, now: () => now });
    const request = { account: '123456789012', region: 'us-east-1', ruleName: 'restricted-ssh' };

    // Act
    await Promise.all([cached(request), cached(request)]);
    await cached({ ...request, region: 'eu-west-1' });
    now = 59_000;
    await cached(request);
    now = 61_000;
    await cached(request);

    // Assess
    expect(describe).toHaveBeenCalledTimes(3);
  });

  it('forgets a failed read, so that the next triage asks again', async () => {
    // Prepare
    const describe = vi
      .fn<DescribeConfigRule>()
      .mockRejectedValueOnce(new Error('throttled'))
      .mockResolvedValueOnce(undefined);
    const cached = cachedConfigRules(describe, { now: () => 0 });
    const request = { account: '123456789012', region: 'us-east-1', ruleName: 'x' };

    // Act
    await expect(cached(request)).rejects.toThrow('throttled');
    const second = await cached(request);

    // Assess
    expect(second).toBeUndefined();
    expect(describe).toHaveBeenCalledTimes(2);
  });
});

describe("a rule's InputParameters", () => {
  it('are read as text values, whatever JSON type they come as', () => {
    expect(parseRuleParameters('{"blockedPort1":"20","blockedPort2":21,"flag":true,"list":[1]}')).toEqual({
      blockedPort1: '20',
      blockedPort2: '21',
      flag: 'true',
    });
    expect(parseRuleParameters(undefined)).toEqual({});
    expect(parseRuleParameters('  ')).toEqual({});
  });

  it('that are not a JSON object are refused by name', () => {
    expect(() => parseRuleParameters('{nope')).toThrow(
      expect.objectContaining({ name: 'ConfigRuleParametersInvalidError' }),
    );
    expect(() => parseRuleParameters('[1]')).toThrow(/not a JSON object/);
  });
});

describe('identifyConfigRule, each rule', () => {
  const managed = (sourceIdentifier: string | undefined, owner = 'AWS'): DescribeConfigRule =>
    vi.fn(async () => ({ name: 'x', owner, sourceIdentifier, parameters: { blockedPort1: '22' } }));

  /** A result of the rule named `name`, with the compliance type given. */
  function result(name: string, complianceType: string): Incident {
    const event = loadDemoEvent<{ detail: Json }>(POSTURE_EVENTS.INCOMING_SSH_DISABLED);
    event.detail.configRuleName = name;
    (event.detail.newEvaluationResult as Json).complianceType = complianceType;
    return incidentOf(event);
  }

  it("gives a managed rule its route's category, and a managed rule no playbook routes the generic one", async () => {
    const incident = sshResult('restricted-ssh');
    const routed = await identifyConfigRule(incident, managed('ACCESS_KEYS_ROTATED'));
    const expected = configRuleRoute('ACCESS_KEYS_ROTATED')?.route.category;
    expect(expected).toBeDefined();
    expect(expected).not.toBe('noncompliant-resource');
    expect(routed.category).toBe(expected);
    const unrouted = await identifyConfigRule(incident, managed('S3_BUCKET_VERSIONING_ENABLED'));
    expect(unrouted.category).toBe('noncompliant-resource');
    expect(unrouted.facts).toMatchObject({
      rule: { identifier: 'S3_BUCKET_VERSIONING_ENABLED', parameters: { blockedPort1: '22' } },
    });
  });

  it('takes an AWS rule without a source identifier as custom, mapped by its name, without an identifier', async () => {
    const identified = await identifyConfigRule(sshResult('restricted-ssh'), managed(undefined));
    expect(identified.category).toBe('noncompliant-resource');
    const rule = identified.facts.source === 'config' ? identified.facts.rule : undefined;
    expect(rule).toEqual({ by: 'source-identifier', owner: 'AWS', parameters: { blockedPort1: '22' } });
    expect(Object.hasOwn(rule ?? {}, 'identifier')).toBe(false);
    expect(identified.notes).toContain(
      'Config rule restricted-ssh is a custom rule (AWS), mapped by its name restricted-ssh (DescribeConfigRules).',
    );
  });

  it('says why a custom rule is low: no severity is declared for a custom rule', async () => {
    const identified = await identifyConfigRule(
      sshResult('restricted-ssh'),
      managed('arn:lambda', 'CUSTOM_LAMBDA'),
    );
    expect(identified.facts).toMatchObject({ severityDeclaredBy: 'undeclared' });
    expect(identified.notes.at(-1)).toBe(
      'Severity 3: restricted-ssh is a custom rule, so no severity is declared for it.',
    );
  });

  it('rates a custom rule by the severity table when the table names it, as intake did', async () => {
    const identified = await identifyConfigRule(
      sshResult('s3-bucket-public-read-prohibited'),
      managed('arn:lambda', 'CUSTOM_LAMBDA'),
    );
    expect(identified.facts).toMatchObject({ severityDeclaredBy: 'severity-table' });
    expect(identified.severity.score).toBe(9);
  });

  it('keeps the severity of a result that is not NON_COMPLIANT, and adds no severity note', async () => {
    const incident = result('restricted-ssh', 'COMPLIANT');
    const identified = await identifyConfigRule(incident, managed('INCOMING_SSH_DISABLED'));
    expect(identified.severity).toEqual(incident.severity);
    expect(identified.notes).toEqual([
      ...incident.notes,
      'Config rule restricted-ssh is the managed rule INCOMING_SSH_DISABLED (DescribeConfigRules).',
    ]);
  });

  it('says Config has no rule of that name when the read finds none, and warns with the incident, rule and why', async () => {
    // Prepare
    const incident = sshResult('restricted-ssh');
    const warn = vi.fn();

    // Act
    const identified = await identifyConfigRule(incident, described(undefined), { warn });

    // Assess
    expect(identified.notes).toEqual([
      ...incident.notes,
      'Config rule restricted-ssh could not be read (Config has no rule of that name in the account and region): identified as INCOMING_SSH_DISABLED by its name; its parameters are unknown.',
    ]);
    expect(identified.category).toBe(incident.category);
    expect(warn).toHaveBeenCalledWith('Could not read the Config rule; it is identified by its name', {
      incidentId: incident.id,
      rule: 'restricted-ssh',
      failure: 'Config has no rule of that name in the account and region',
    });
  });

  it('says the name names no rule Cordon knows when an unread rule is not identified by its name', async () => {
    const incident = sshResult('required-tags');
    const identified = await identifyConfigRule(incident, async () => {
      throw 'offline';
    });
    expect(identified.notes.at(-1)).toBe(
      'Config rule required-tags could not be read (DescribeConfigRules failed: offline) and its name names no managed rule Cordon knows.',
    );
  });

  it('reads a result whose facts carry no rule at all as one its name does not identify', async () => {
    const incident = sshResult('restricted-ssh');
    const { rule: _rule, ...facts } = incident.facts as Extract<Incident['facts'], { source: 'config' }>;
    const bare = { ...incident, facts } as Incident;
    const identified = await identifyConfigRule(bare, described(undefined));
    expect(identified.notes.at(-1)).toContain('its name names no managed rule Cordon knows');
  });

  const described = (answer: Awaited<ReturnType<DescribeConfigRule>>): DescribeConfigRule =>
    vi.fn(async () => answer);
});

describe('settingsKeyOf', () => {
  it('is the base rule name when nothing identified the rule', () => {
    expect(settingsKeyOf({ baseRuleName: 'my-rule', rule: undefined })).toBe('my-rule');
    expect(settingsKeyOf({ baseRuleName: 'my-rule', rule: { by: 'none' } } as never)).toBe('my-rule');
  });
});

describe('the rule cache, each rule', () => {
  const request = { account: '123456789012', region: 'us-east-1', ruleName: 'restricted-ssh' };

  it('keeps an answer for 900 seconds by default, by the clock', async () => {
    const describe = vi.fn<DescribeConfigRule>(async () => undefined);
    const cached = cachedConfigRules(describe);
    await cached(request);
    await cached(request);
    expect(describe).toHaveBeenCalledOnce();
    let now = 0;
    const timed = cachedConfigRules(describe, { now: () => now });
    await timed(request);
    now = 899_999;
    await timed(request);
    expect(describe).toHaveBeenCalledTimes(2);
    now = 900_000;
    await timed(request);
    expect(describe).toHaveBeenCalledTimes(3);
  });

  it('asks again at exactly the end of the time to live, and keeps apart accounts and rule names', async () => {
    let now = 0;
    const describe = vi.fn<DescribeConfigRule>(async () => undefined);
    const cached = cachedConfigRules(describe, { ttlSeconds: 60, now: () => now });
    await cached(request);
    await cached({ ...request, account: '210987654321' });
    await cached({ ...request, ruleName: 'other' });
    expect(describe).toHaveBeenCalledTimes(3);
    now = 60_000;
    await cached(request);
    expect(describe).toHaveBeenCalledTimes(4);
  });

  it('does not forget a newer answer when an older read fails after it', async () => {
    // Prepare
    let now = 0;
    let failOld: (error: Error) => void = () => undefined;
    const old = new Promise<undefined>((_, reject) => {
      failOld = reject;
    });
    const describe = vi
      .fn<DescribeConfigRule>()
      .mockReturnValueOnce(old)
      .mockResolvedValueOnce(undefined)
      .mockResolvedValueOnce(undefined);
    const cached = cachedConfigRules(describe, { ttlSeconds: 60, now: () => now });
    const first = cached(request);
    now = 61_000;
    await cached(request);

    // Act
    failOld(new Error('throttled'));
    await expect(first).rejects.toThrow('throttled');
    await cached(request);

    // Assess: the newer answer is still cached.
    expect(describe).toHaveBeenCalledTimes(2);
  });

  it('forgets nothing twice when an older read fails after a newer one failed', async () => {
    let now = 0;
    let failOld: (error: Error) => void = () => undefined;
    const old = new Promise<undefined>((_, reject) => {
      failOld = reject;
    });
    const describe = vi
      .fn<DescribeConfigRule>()
      .mockReturnValueOnce(old)
      .mockRejectedValueOnce(new Error('newer failed'))
      .mockResolvedValueOnce(undefined);
    const cached = cachedConfigRules(describe, { ttlSeconds: 60, now: () => now });
    const first = cached(request);
    now = 61_000;
    await expect(cached(request)).rejects.toThrow('newer failed');
    failOld(new Error('older failed'));
    await expect(first).rejects.toThrow('older failed');
    await expect(cached(request)).resolves.toBeUndefined();
    expect(describe).toHaveBeenCalledTimes(3);
  });
});

describe("a rule's InputParameters, each refusal", () => {
  it('names a text that is not JSON, with the parser’s reason', () => {
    expect(() => parseRuleParameters('{nope')).toThrow(/^The rule's InputParameters are not JSON: .+/);
  });

  it.each(['null', '"text"', '7', 'true', '[]'])('refuses %s: not a JSON object', (text) => {
    expect(() => parseRuleParameters(text)).toThrow("The rule's InputParameters are not a JSON object.");
  });

  it('leaves out a value that is neither text, number nor boolean', () => {
    expect(parseRuleParameters('{"a":null,"b":{"c":1},"d":"x"}')).toStrictEqual({ d: 'x' });
  });
});
