import { ConfigServiceClient, DescribeConfigRulesCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { configRuleReader } from '../src/config-rules.ts';

const REQUEST = {
  account: '222222222222',
  region: 'eu-west-1',
  ruleName: 'AWSControlTower_AWS-GR_RESTRICTED_SSH',
};

describe('configRuleReader (DescribeConfigRules in the incident’s account and region)', () => {
  const client = new ConfigServiceClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' },
  });
  const config = mockClient(client);

  beforeEach(() => config.reset());

  it('reads the rule by name, on the client of the incident’s account and region, and parses its parameters', async () => {
    // Prepare
    config.on(DescribeConfigRulesCommand).resolves({
      ConfigRules: [
        {
          ConfigRuleName: REQUEST.ruleName,
          Source: { Owner: 'AWS', SourceIdentifier: 'INCOMING_SSH_DISABLED' },
          InputParameters: '{"x":"1"}',
        },
      ],
    });
    const clientFor = vi.fn(() => client);

    // Act
    const rule = await configRuleReader(clientFor)(REQUEST);

    // Assess
    expect(clientFor).toHaveBeenCalledWith({ account: '222222222222', region: 'eu-west-1' });
    expect(config).toHaveReceivedCommandWith(DescribeConfigRulesCommand, {
      ConfigRuleNames: [REQUEST.ruleName],
    });
    expect(rule).toEqual({
      name: REQUEST.ruleName,
      owner: 'AWS',
      sourceIdentifier: 'INCOMING_SSH_DISABLED',
      parameters: { x: '1' },
    });
  });

  it('answers "no such rule" for NoSuchConfigRuleException, and throws any other error', async () => {
    // Prepare
    config
      .on(DescribeConfigRulesCommand)
      .rejectsOnce(Object.assign(new Error('no rule'), { name: 'NoSuchConfigRuleException' }))
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const read = configRuleReader(() => client);

    // Act + Assess
    await expect(read(REQUEST)).resolves.toBeUndefined();
    await expect(read({ ...REQUEST, ruleName: 'other' })).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('reads a rule once while its answer is fresh', async () => {
    // Prepare
    config.on(DescribeConfigRulesCommand).resolves({
      ConfigRules: [{ ConfigRuleName: REQUEST.ruleName, Source: { Owner: 'CUSTOM_LAMBDA' } }],
    });
    const read = configRuleReader(() => client, { now: () => 0 });

    // Act
    await read(REQUEST);
    await read(REQUEST);

    // Assess
    expect(config).toHaveReceivedCommandTimes(DescribeConfigRulesCommand, 1);
  });
});
