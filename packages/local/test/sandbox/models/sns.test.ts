import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { SnsModel } from '../../../src/sandbox/models/sns.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const NOW = new Date('2026-03-01T12:00:00Z');

function setup() {
  const sandbox = new SandboxAccount({ accountId: '111122223333', region: 'eu-west-1', now: () => NOW });
  const sns = new SnsModel(sandbox.context);
  const topicArn = sns.addTopic('cordon-alerts');
  sandbox.register(sns);
  const client = sandbox.attach(new SNSClient({ region: 'eu-west-1' }));
  return { sandbox, sns, client, topicArn };
}

describe('SnsModel', () => {
  it('Publish keeps the message, subject and attributes for the topic, in order', async () => {
    // Prepare
    const { sns, client, topicArn } = setup();

    // Act
    const output = await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'Cordon isolated i-0abc',
        Message: '{"incident":"inc-1"}',
        MessageAttributes: {
          severity: { DataType: 'Number', StringValue: '8.5' },
          playbook: { DataType: 'String', StringValue: 'ec2-contain' },
          steps: { DataType: 'String.Array', StringValue: '["snapshot","isolate"]' },
        },
      }),
    );
    await client.send(new PublishCommand({ TopicArn: topicArn, Message: 'second' }));

    // Assess
    expect(output.MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const messages = sns.messages(topicArn);
    expect(messages.map((message) => message.message)).toEqual(['{"incident":"inc-1"}', 'second']);
    expect(messages[0]).toMatchObject({
      messageId: output.MessageId,
      subject: 'Cordon isolated i-0abc',
      messageAttributes: { severity: { DataType: 'Number', StringValue: '8.5' } },
      publishedAt: NOW,
    });
  });

  it('Publish to an unknown topic answers NotFound', async () => {
    // Prepare
    const { sns, client } = setup();
    const unknown = 'arn:aws:sns:eu-west-1:111122223333:nope';

    // Act
    const attempt = client.send(new PublishCommand({ TopicArn: unknown, Message: 'hello' }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'NotFoundException',
      Code: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    expect(sns.messages(unknown)).toEqual([]);
  });

  it.each([
    ['a subject over 100 characters', { Subject: 's'.repeat(101), Message: 'm' }],
    ['a subject with a line break', { Subject: 'two\nlines', Message: 'm' }],
    ['an empty message', { Message: '' }],
    ['a message over 256 KiB', { Message: 'x'.repeat(262_145) }],
    [
      'a JSON message structure without a default entry',
      { Message: '{"email":"x"}', MessageStructure: 'json' },
    ],
  ])('Publish refuses %s with InvalidParameter', async (_case, parameters) => {
    // Prepare
    const { sns, client, topicArn } = setup();

    // Act
    const attempt = client.send(new PublishCommand({ TopicArn: topicArn, ...parameters }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidParameterException',
      Code: 'InvalidParameter',
    });
    expect(sns.messages(topicArn)).toEqual([]);
  });

  it('a message of exactly 256 KiB is accepted', async () => {
    // Prepare
    const { sns, client, topicArn } = setup();

    // Act
    await client.send(new PublishCommand({ TopicArn: topicArn, Message: 'x'.repeat(262_144) }));

    // Assess
    expect(sns.messages(topicArn)).toHaveLength(1);
  });

  it.each([
    ['an unknown data type', { DataType: 'Integer', StringValue: '1' }],
    ['a Number that is not numeric', { DataType: 'Number', StringValue: 'high' }],
    ['a String.Array that is not a JSON array', { DataType: 'String.Array', StringValue: 'a,b' }],
    ['a String with no value', { DataType: 'String' }],
  ])('Publish refuses a message attribute with %s', async (_case, attribute) => {
    // Prepare
    const { client, topicArn } = setup();

    // Act
    const attempt = client.send(
      new PublishCommand({ TopicArn: topicArn, Message: 'm', MessageAttributes: { field: attribute } }),
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      Code: 'ParameterValueInvalid',
    });
  });

  it('seeding a topic is idempotent (the same name answers the same ARN) and refuses a name SNS would refuse', () => {
    // Prepare
    const { sns, topicArn } = setup();

    // Act
    const again = sns.addTopic('cordon-alerts');
    const created = sns.addTopic('cordon-approvals');

    // Assess
    expect(again).toBe(topicArn);
    expect(created).toBe('arn:aws:sns:eu-west-1:111122223333:cordon-approvals');
    expect(Object.keys(sns.snapshot().topics)).toHaveLength(2);
    expect(() => sns.addTopic('not a topic')).toThrow(/not a valid SNS topic name/);
  });

  it('Publish to a FIFO topic requires a message group id', async () => {
    // Prepare
    const { sns, client } = setup();
    const fifo = sns.addTopic('cordon-events.fifo');

    // Act
    const missing = client.send(new PublishCommand({ TopicArn: fifo, Message: 'm' }));
    const grouped = await client.send(
      new PublishCommand({ TopicArn: fifo, Message: 'm', MessageGroupId: 'inc-1' }),
    );

    // Assess
    await expect(missing).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect(grouped.SequenceNumber).toBeDefined();
  });

  it('snapshot() is a deep copy', async () => {
    // Prepare
    const { sns, client, topicArn } = setup();
    await client.send(new PublishCommand({ TopicArn: topicArn, Message: 'original' }));
    const snapshot = sns.snapshot();

    // Act
    snapshot.published.length = 0;

    // Assess
    expect(sns.messages(topicArn).map((message) => message.message)).toEqual(['original']);
  });
});
