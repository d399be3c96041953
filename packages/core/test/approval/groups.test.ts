import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DynamoDbApprovalGroups,
  type GroupMembership,
  type GroupRound,
  type GroupShape,
  groupIdOf,
  groupKeyHash,
} from '../../src/approval/groups.ts';
import { NOW } from './fixtures.ts';
import { FINDING_TYPE, groupHarness, TABLE } from './group-fixtures.ts';

function shape(overrides: Partial<GroupShape> = {}): GroupShape {
  return {
    account: '123456789012',
    region: 'us-east-1',
    playbook: 'ec2-compromise',
    findingType: FINDING_TYPE,
    category: 'instance-compromise',
    step: 'contain-instance',
    actions: ['request-approval', 'contain-instance', 'notify'],
    dryRun: false,
    timeoutDefault: 'reject',
    timeoutSeconds: 3600,
    approvers: {
      slackUserIds: ['U1', 'U2'],
      slackUserGroupIds: ['S1', 'S2'],
      identities: ['straße@example.com', 'bob@example.com'],
    },
    ...overrides,
  };
}

function approvers(overrides: Partial<GroupShape['approvers']>): Partial<GroupShape> {
  return { approvers: { ...shape().approvers, ...overrides } };
}

const WINDOW_ENDS_AT = '2026-11-28T10:10:00.000Z';
const LINK_EXPIRES_AT = '2026-11-28T11:10:00.000Z';
const DAY = 86_400;

function membership(groupId = 'kind_1'): GroupMembership {
  return {
    groupId,
    keyHash: 'kind',
    generation: 1,
    shape: shape(),
    openedAt: NOW.toISOString(),
    windowEndsAt: WINDOW_ENDS_AT,
    linkExpiresAt: LINK_EXPIRES_AT,
  };
}

function round(n: number, from: number, through: number): GroupRound {
  return {
    n,
    from,
    through,
    decision: {
      decision: 'approve',
      decidedBy: { kind: 'slack', id: 'U1' },
      decidedAt: NOW.toISOString(),
      round: n,
    },
  };
}

/** The raw item behind a key, as DynamoDB holds it. */
async function rawItem(harness: ReturnType<typeof groupHarness>, approvalId: string) {
  const client = harness.sandbox.account.attach(
    new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' },
    }),
  );
  const { Item } = await client.send(
    new GetItemCommand({ TableName: TABLE, Key: { approvalId: { S: approvalId } } }),
  );
  return { client, item: Item === undefined ? undefined : unmarshall(Item) };
}

/** A client that records what it is sent and answers every call alike. */
function recordingClient(answer: () => Promise<unknown>) {
  const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
  return {
    sent,
    client: {
      send: async (command: { constructor: { name: string }; input: unknown }) => {
        sent.push({ name: command.constructor.name, input: command.input as Record<string, unknown> });
        return answer();
      },
    } as unknown as ConstructorParameters<typeof DynamoDbApprovalGroups>[0]['client'],
  };
}

describe('groupKeyHash approvers', () => {
  it.each<[string, Partial<GroupShape>]>([
    ['only the Slack users', approvers({ slackUserIds: ['U1'] })],
    ['only the Slack user groups', approvers({ slackUserGroupIds: ['S1'] })],
    ['only the web identities', approvers({ identities: ['bob@example.com'] })],
    ['only which web identity', approvers({ identities: ['straße@example.com', 'mallory@example.com'] })],
    // Two people whose addresses only upper-casing would merge (ß → SS): identities are compared lower-cased.
    [
      'identities equal only upper-cased',
      approvers({ identities: ['strasse@example.com', 'bob@example.com'] }),
    ],
  ])('differs when %s differ: who may decide is part of the kind', (_case, change) => {
    // Act / Assess
    expect(groupKeyHash(shape(change))).not.toBe(groupKeyHash(shape()));
  });

  it('is the same whatever the order of Slack user groups and identities, and the case of an identity', () => {
    // Prepare
    const reordered = shape(
      approvers({
        slackUserIds: ['U2', 'U1'],
        slackUserGroupIds: ['S2', 'S1'],
        identities: ['BOB@example.com', 'Straße@Example.com'],
      }),
    );

    // Act / Assess
    expect(groupKeyHash(reordered)).toBe(groupKeyHash(shape()));
  });
});

describe('DynamoDbApprovalGroups', () => {
  it('keeps the pointer and the group 30 days past the window and the link (expiresAtEpoch), or the retention given', async () => {
    // Prepare
    const harness = groupHarness();
    const kept = new DynamoDbApprovalGroups({
      client: (await rawItem(harness, 'none')).client,
      tableName: TABLE,
      retentionDays: 7,
    });

    // Act
    await harness.groups.advance('kind', 0, { openedAt: NOW.toISOString(), windowEndsAt: WINDOW_ENDS_AT });
    await harness.groups.noteMember(membership(), 1, NOW.toISOString());
    await kept.advance('other', 0, { openedAt: NOW.toISOString(), windowEndsAt: WINDOW_ENDS_AT });

    // Assess
    const windowEnds = Date.parse(WINDOW_ENDS_AT) / 1000;
    const linkExpires = Date.parse(LINK_EXPIRES_AT) / 1000;
    expect((await rawItem(harness, 'group-key#kind')).item?.expiresAtEpoch).toBe(windowEnds + 30 * DAY);
    expect((await rawItem(harness, 'group#kind_1')).item?.expiresAtEpoch).toBe(linkExpires + 30 * DAY);
    expect((await rawItem(harness, 'group-key#other')).item?.expiresAtEpoch).toBe(windowEnds + 7 * DAY);
  });

  it('reads the pointer and the group with strongly consistent reads: a join must see the write it raced', async () => {
    // Prepare
    const { client, sent } = recordingClient(async () => ({}));
    const groups = new DynamoDbApprovalGroups({ client, tableName: TABLE });

    // Act
    await groups.pointer('kind');
    await groups.get('kind_1');

    // Assess
    expect(sent.map((call) => [call.name, call.input.ConsistentRead])).toEqual([
      ['GetItemCommand', true],
      ['GetItemCommand', true],
    ]);
  });

  it('a conditional write refused is false; any other error is thrown, never read as a lost race', async () => {
    // Prepare
    const refused = new DynamoDbApprovalGroups({
      client: recordingClient(async () => {
        throw Object.assign(new Error('no'), { name: 'ConditionalCheckFailedException' });
      }).client,
      tableName: TABLE,
    });
    const throttled = new DynamoDbApprovalGroups({
      client: recordingClient(async () => {
        throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
      }).client,
      tableName: TABLE,
    });
    const next = { openedAt: NOW.toISOString(), windowEndsAt: WINDOW_ENDS_AT };

    // Act / Assess
    await expect(refused.advance('kind', 0, next)).resolves.toBe(false);
    await expect(refused.claimRound('kind_1', round(1, 0, 1))).resolves.toBe('conflict');
    await expect(throttled.advance('kind', 0, next)).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
    await expect(throttled.claimRound('kind_1', round(1, 0, 1))).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
  });

  it('claimRound answers claimed, and a round carrying an undefined comment is still written', async () => {
    // Prepare
    const harness = groupHarness();
    await harness.groups.noteMember(membership(), 3, NOW.toISOString());
    const second = round(2, 1, 3);
    const withUndefined: GroupRound = {
      ...second,
      decision: { ...second.decision, comment: undefined },
    };

    // Act
    const first = await harness.groups.claimRound('kind_1', round(1, 0, 1));
    const next = await harness.groups.claimRound('kind_1', withUndefined);

    // Assess
    expect([first, next]).toEqual(['claimed', 'claimed']);
    expect((await harness.groups.get('kind_1'))?.decidedThrough).toBe(3);
  });

  it('get lists the rounds in order of n, skipping a round it cannot read and attributes that are not rounds', async () => {
    // Prepare
    const harness = groupHarness();
    await harness.groups.noteMember(membership(), 5, NOW.toISOString());
    const { client, item } = await rawItem(harness, 'group#kind_1');
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: marshall({
          ...item,
          round10: round(10, 4, 5),
          round2: round(2, 1, 4),
          round3: { n: 'three' },
          roundabout: round(7, 0, 1),
          round1: round(1, 0, 1),
        }),
      }),
    );

    // Act
    const group = await harness.groups.get('kind_1');

    // Assess
    expect(group?.roundList.map((listed) => listed.n)).toEqual([1, 2, 10]);
    expect(group?.roundList[0]).toEqual(round(1, 0, 1));
  });

  it('get reads a group no message was posted for without a slackMessage, and an unreadable group as absent', async () => {
    // Prepare
    const harness = groupHarness();
    await harness.groups.noteMember(membership(), 1, NOW.toISOString());
    await harness.groups.recordAnnouncement('kind_1', {
      state: 'done',
      at: NOW.toISOString(),
      snsPublished: true,
      shownCount: 1,
    });
    const { client } = await rawItem(harness, 'none');
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: marshall({
          approvalId: `group#${groupIdOf('broken', 1)}`,
          groupId: 'broken_1',
          memberCount: 'x',
        }),
      }),
    );

    // Act
    const announced = await harness.groups.get('kind_1');
    const broken = await harness.groups.get('broken_1');

    // Assess
    expect(announced).toMatchObject({ announceState: 'done', snsPublished: true, memberCount: 1 });
    expect(announced).not.toHaveProperty('slackMessage');
    expect(broken).toBeUndefined();
  });

  it('writes a member of a kind with no timeout default (the shape leaves it undefined)', async () => {
    // Prepare
    const harness = groupHarness();

    // Act
    await harness.groups.noteMember(
      { ...membership(), shape: shape({ timeoutDefault: undefined }) },
      1,
      NOW.toISOString(),
    );

    // Assess
    const group = await harness.groups.get('kind_1');
    expect(group?.memberCount).toBe(1);
    expect(group?.shape).not.toHaveProperty('timeoutDefault');
  });
});
