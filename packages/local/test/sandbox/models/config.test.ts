import { ConfigServiceClient, DescribeConfigRulesCommand } from '@aws-sdk/client-config-service';
import { describe, expect, it } from 'vitest';
import { ConfigModel } from '../../../src/sandbox/models/config.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

function setup() {
  const sandbox = new SandboxAccount({ accountId: '111122223333', region: 'eu-west-1' });
  const config = new ConfigModel(sandbox.context);
  sandbox.register(config);
  const client = sandbox.attach(new ConfigServiceClient({ region: 'eu-west-1' }));
  return { config, client };
}

describe('ConfigModel', () => {
  it('DescribeConfigRules answers a rule by name with its source and parameters, as Config keeps them', async () => {
    // Prepare
    const { config, client } = setup();
    config.addRule({
      name: 'restricted-common-ports-conformance-pack-7hq2x0p1c',
      sourceIdentifier: 'RESTRICTED_INCOMING_TRAFFIC',
      parameters: { blockedPort1: '3389' },
    });
    config.addRule({ name: 'other', sourceIdentifier: 'INCOMING_SSH_DISABLED' });

    // Act
    const answer = await client.send(
      new DescribeConfigRulesCommand({
        ConfigRuleNames: ['restricted-common-ports-conformance-pack-7hq2x0p1c'],
      }),
    );

    // Assess
    expect(answer.ConfigRules).toEqual([
      expect.objectContaining({
        ConfigRuleName: 'restricted-common-ports-conformance-pack-7hq2x0p1c',
        ConfigRuleArn: expect.stringMatching(
          /^arn:aws:config:eu-west-1:111122223333:config-rule\/config-rule-[0-9a-f]{6}$/,
        ),
        ConfigRuleState: 'ACTIVE',
        Source: { Owner: 'AWS', SourceIdentifier: 'RESTRICTED_INCOMING_TRAFFIC' },
        InputParameters: '{"blockedPort1":"3389"}',
      }),
    ]);
  });

  it('answers every rule when no name is given, and a custom rule as custom', async () => {
    // Prepare
    const { config, client } = setup();
    config.addRule({ name: 'a', sourceIdentifier: 'INCOMING_SSH_DISABLED' });
    config.addRule({ name: 'b', owner: 'CUSTOM_LAMBDA' });

    // Act
    const answer = await client.send(new DescribeConfigRulesCommand({}));

    // Assess
    expect(answer.ConfigRules?.map((rule) => [rule.ConfigRuleName, rule.Source?.Owner])).toEqual([
      ['a', 'AWS'],
      ['b', 'CUSTOM_LAMBDA'],
    ]);
  });

  it('answers NoSuchConfigRuleException (400) for a name it does not know', async () => {
    // Prepare
    const { config, client } = setup();
    config.addRule({ name: 'a', sourceIdentifier: 'INCOMING_SSH_DISABLED' });

    // Act
    const sent = client.send(new DescribeConfigRulesCommand({ ConfigRuleNames: ['a', 'missing'] }));

    // Assess
    await expect(sent).rejects.toMatchObject({
      name: 'NoSuchConfigRuleException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('refuses more than 25 names, and a blank one, as InvalidParameterValueException', async () => {
    // Prepare
    const { client } = setup();

    // Act + Assess
    await expect(
      client.send(
        new DescribeConfigRulesCommand({ ConfigRuleNames: Array.from({ length: 26 }, (_, n) => `r${n}`) }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(
      client.send(new DescribeConfigRulesCommand({ ConfigRuleNames: [' '] })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });

  it('keeps its state apart from what a snapshot hands out', () => {
    // Prepare
    const { config } = setup();
    config.addRule({ name: 'a', sourceIdentifier: 'INCOMING_SSH_DISABLED' });

    // Act
    const snapshot = config.snapshot();
    delete snapshot.rules.a;

    // Assess
    expect(Object.keys(config.snapshot().rules)).toEqual(['a']);
  });
});
