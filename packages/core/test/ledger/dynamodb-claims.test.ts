import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../../../local/src/sandbox/index.ts';
import { SANDBOX_RESOURCES, seedCordonResources } from '../../../local/src/seed.ts';
import type { ClaimRequest, IncidentClaim } from '../../src/ledger/claims.ts';
import {
  CLAIM_KEY,
  ClaimContendedError,
  claimFromItem,
  claimToItem,
  DynamoDbClaims,
} from '../../src/ledger/dynamodb-claims.ts';

// Issue 18 (third wave): the claim store on its own — the items it reads and writes, the conditions each write
// carries, and what it does when the condition fails or DynamoDB fails otherwise. A refused condition hands back
// the item as it stands when the write asks for it (`ReturnValuesOnConditionCheckFailure: ALL_OLD`):
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html.

const ID = 'guardduty-123456789012-us-east-1-abc';
const NOW = new Date('2026-11-28T10:00:00.000Z');

function request(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return { incidentId: ID, playbook: 'ec2-compromise', provisional: false, now: NOW, ...overrides };
}

const FULL: IncidentClaim = {
  revision: 4,
  executions: 3,
  holder: {
    playbook: 'ec2-compromise',
    execution: 3,
    started: true,
    claimedAt: '2026-11-28T09:00:00.000Z',
    occurrence: '2026-11-28T08:59:00.000Z',
  },
  notice: { playbook: 'notify-only', execution: 2, started: false, claimedAt: '2026-11-28T08:00:00.000Z' },
  closed: { at: '2026-11-28T09:30:00.000Z', by: 'release-instance' },
};

describe('claimFromItem and claimToItem', () => {
  it('reads back every field of a claim exactly as it was written, in flat attributes under the claim key', () => {
    const item = claimToItem(ID, FULL);
    expect(unmarshall(item)).toEqual({
      incidentId: ID,
      sk: CLAIM_KEY,
      revision: 4,
      executions: 3,
      holderPlaybook: 'ec2-compromise',
      holderExecution: 3,
      holderStarted: true,
      holderClaimedAt: '2026-11-28T09:00:00.000Z',
      holderOccurrence: '2026-11-28T08:59:00.000Z',
      noticePlaybook: 'notify-only',
      noticeExecution: 2,
      noticeStarted: false,
      noticeClaimedAt: '2026-11-28T08:00:00.000Z',
      closedAt: '2026-11-28T09:30:00.000Z',
      closedBy: 'release-instance',
    });
    expect(claimFromItem(item)).toEqual(FULL);
    expect(CLAIM_KEY).toBe('~execution');
  });

  it('writes no attribute for what a claim does not have, and reads no holder, notice or release back', () => {
    const item = claimToItem(ID, { revision: 1, executions: 0 });
    expect(Object.keys(item).sort()).toEqual(['executions', 'incidentId', 'revision', 'sk']);
    expect(claimFromItem(item)).toEqual({ revision: 1, executions: 0 });
  });

  it('reads nothing from no item', () => {
    expect(claimFromItem(undefined)).toBeUndefined();
  });

  it('reads an item from before generations (a playbook and a time, no revision) as a started holder of execution 1', () => {
    const legacy = { incidentId: { S: ID }, sk: { S: CLAIM_KEY }, playbook: { S: 'credential-compromise' } };
    expect(claimFromItem({ ...legacy, claimedAt: { S: '2026-11-28T09:00:00.000Z' } })).toEqual({
      revision: 0,
      executions: 1,
      holder: {
        playbook: 'credential-compromise',
        execution: 1,
        started: true,
        claimedAt: '2026-11-28T09:00:00.000Z',
      },
    });
    // No time written: an empty one, never a field of another type.
    expect(claimFromItem({ ...legacy, claimedAt: { N: '5' } })?.holder?.claimedAt).toBe('');
  });

  it('takes an item with a revision as a current one, whatever else it holds, and an unknown playbook as none', () => {
    // A `playbook` attribute next to a revision is not the old layout: no holder is made up from it.
    expect(
      claimFromItem({ playbook: { S: 'ec2-compromise' }, revision: { N: '2' }, executions: { N: '1' } }),
    ).toEqual({ revision: 2, executions: 1 });
    // Before generations, an unknown playbook held nothing either.
    expect(claimFromItem({ playbook: { S: 'delete-everything' } })).toEqual({ revision: 0, executions: 0 });
    expect(
      claimFromItem({ revision: { N: '2' }, holderPlaybook: { S: 'nope' }, noticePlaybook: { N: '1' } }),
    ).toEqual({ revision: 2, executions: 0 });
  });

  it('fills what an item lacks or holds with the wrong type: execution 1, not started, no time, a release by "release"', () => {
    const claim = claimFromItem({
      revision: { S: '3' },
      executions: { S: 'many' },
      holderPlaybook: { S: 'ec2-compromise' },
      holderExecution: { S: '2' },
      holderStarted: { S: 'true' },
      holderClaimedAt: { N: '1' },
      holderOccurrence: { N: '1' },
      noticePlaybook: { S: 'notify-only' },
      noticeStarted: { S: 'true' },
      closedAt: { S: '2026-11-28T09:30:00.000Z' },
    });
    expect(claim).toEqual({
      revision: 0,
      executions: 0,
      holder: { playbook: 'ec2-compromise', execution: 1, started: false, claimedAt: '' },
      notice: { playbook: 'notify-only', execution: 1, started: false, claimedAt: '' },
      closed: { at: '2026-11-28T09:30:00.000Z', by: 'release' },
    });
    expect(claim?.holder).not.toHaveProperty('occurrence');
  });
});

describe('DynamoDbClaims (on the sandbox)', () => {
  function claimsOnSandbox() {
    const sandbox = createSandbox();
    seedCordonResources(sandbox);
    const client = sandbox.account.attach(new DynamoDBClient({ region: 'us-east-1' }));
    return new DynamoDbClaims({ client, tableName: SANDBOX_RESOURCES.ledgerTable });
  }

  it('records that the holder started, then that the notice started, each on its own execution number', async () => {
    const claims = claimsOnSandbox();
    await claims.claim(request({ playbook: 'notify-only', provisional: true }));
    await claims.claim(request());
    await claims.started(ID, 2);
    expect((await claims.read(ID))?.holder).toMatchObject({ execution: 2, started: true });
    expect((await claims.read(ID))?.notice).toMatchObject({ execution: 1, started: false });
    await claims.started(ID, 1);
    expect((await claims.read(ID))?.notice).toMatchObject({ execution: 1, started: true });
    // Each of the two writes bumped the revision the next conditional write is computed from.
    expect((await claims.read(ID))?.revision).toBe(4);
  });

  it('closes an open claim once, and says a missing or already closed claim is not open', async () => {
    const claims = claimsOnSandbox();
    expect(await claims.close(ID, NOW, 'release-instance')).toBe('not-open');
    await claims.claim(request());
    expect(await claims.close(ID, NOW, 'release-instance')).toBe('closed');
    expect((await claims.read(ID))?.closed).toEqual({ at: NOW.toISOString(), by: 'release-instance' });
    expect(await claims.close(ID, new Date('2026-11-28T11:00:00.000Z'), 'someone-else')).toBe('not-open');
    expect((await claims.read(ID))?.closed).toEqual({ at: NOW.toISOString(), by: 'release-instance' });
  });

  it('reads no claim for an incident that has none, even next to another one', async () => {
    const claims = claimsOnSandbox();
    await claims.claim(request({ incidentId: 'another-incident' }));
    expect(await claims.read(ID)).toBeUndefined();
  });
});

describe('DynamoDbClaims (requests sent, failures answered)', () => {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' },
  });
  const dynamo = mockClient(client);
  const claims = new DynamoDbClaims({ client, tableName: 'cordon-ledger' });
  const throttled = Object.assign(new Error('Rate exceeded'), {
    name: 'ProvisionedThroughputExceededException',
  });
  const conditionFailed = (claim?: IncidentClaim) =>
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      ...(claim ? { Item: claimToItem(ID, claim) } : {}),
    });
  const puts = () => dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input);

  beforeEach(() => {
    dynamo.reset();
  });

  it('writes the first claim unread, only where no claim exists, asking for the item that stands if refused', async () => {
    dynamo.on(PutItemCommand).resolves({});
    const answer = await claims.claim(request({ occurrence: '2026-11-28T09:59:00.000Z' }));
    expect(answer).toMatchObject({ outcome: 'claimed', execution: 1, executionName: ID });
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
    expect(puts()).toEqual([
      {
        TableName: 'cordon-ledger',
        Item: claimToItem(ID, {
          revision: 1,
          executions: 1,
          holder: {
            playbook: 'ec2-compromise',
            execution: 1,
            started: false,
            claimedAt: NOW.toISOString(),
            occurrence: '2026-11-28T09:59:00.000Z',
          },
        }),
        ConditionExpression: 'attribute_not_exists(sk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it('decides again from the item handed back by a refused condition, writing on its revision', async () => {
    const standing: IncidentClaim = {
      revision: 7,
      executions: 1,
      notice: { playbook: 'notify-only', execution: 1, started: true, claimedAt: '2026-11-28T09:00:00.000Z' },
    };
    dynamo.on(PutItemCommand).rejectsOnce(conditionFailed(standing)).resolves({});
    const answer = await claims.claim(request());
    expect(answer).toMatchObject({ outcome: 'claimed', execution: 2, executionName: `${ID}-2` });
    const second = puts()[1];
    expect(second).toMatchObject({
      ConditionExpression: 'attribute_not_exists(revision) OR revision = :revision',
      ExpressionAttributeValues: { ':revision': { N: '7' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(unmarshall(second?.Item ?? {})).toMatchObject({ revision: 8, executions: 2, holderExecution: 2 });
  });

  it('writes nothing more once the item handed back already answers the request (a duplicate)', async () => {
    const standing: IncidentClaim = {
      revision: 2,
      executions: 1,
      holder: {
        playbook: 'ec2-compromise',
        execution: 1,
        started: true,
        claimedAt: '2026-11-28T09:00:00.000Z',
      },
    };
    dynamo.on(PutItemCommand).rejects(conditionFailed(standing));
    expect(await claims.claim(request())).toMatchObject({ outcome: 'duplicate', execution: 1 });
    expect(puts()).toHaveLength(1);
  });

  it('takes a refused write whose item vanished as no claim, and a refused condition on an old item as revision 0', async () => {
    dynamo.on(PutItemCommand).rejectsOnce(conditionFailed()).resolves({});
    expect(await claims.claim(request())).toMatchObject({ outcome: 'claimed', execution: 1 });
    expect(puts()[1]).toMatchObject({ ExpressionAttributeValues: { ':revision': { N: '0' } } });
  });

  it('gives up with ClaimContendedError after five rounds of concurrent writers, having written nothing', async () => {
    let revision = 0;
    dynamo.on(PutItemCommand).callsFake(() => {
      revision += 1;
      throw conditionFailed({ revision, executions: 0 });
    });
    const attempt = claims.claim(request());
    await expect(attempt).rejects.toThrow(ClaimContendedError);
    await expect(claims.claim(request())).rejects.toMatchObject({
      name: 'ClaimContendedError',
      message: `The claim of ${ID} kept changing under 5 concurrent writers; triage is retried.`,
    });
    expect(puts()).toHaveLength(10);
  });

  it('passes any other failure of a claim write on, untouched', async () => {
    dynamo.on(PutItemCommand).rejects(throttled);
    await expect(claims.claim(request())).rejects.toBe(throttled);
    expect(puts()).toHaveLength(1);
  });

  it('marks the holder started on its execution number first, then the notice when the holder is another', async () => {
    dynamo.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolves({});
    await claims.started(ID, 3);
    const inputs = dynamo.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    const values = {
      ':started': { BOOL: true },
      ':one': { N: '1' },
      ':execution': { N: '3' },
    };
    const key = { incidentId: { S: ID }, sk: { S: CLAIM_KEY } };
    expect(inputs).toEqual([
      {
        TableName: 'cordon-ledger',
        Key: key,
        UpdateExpression: 'SET holderStarted = :started ADD revision :one',
        ConditionExpression: 'holderExecution = :execution',
        ExpressionAttributeValues: values,
      },
      {
        TableName: 'cordon-ledger',
        Key: key,
        UpdateExpression: 'SET noticeStarted = :started ADD revision :one',
        ConditionExpression: 'noticeExecution = :execution',
        ExpressionAttributeValues: values,
      },
    ]);
  });

  it('stops at the holder when it was the holder that started', async () => {
    dynamo.on(UpdateItemCommand).resolves({});
    await claims.started(ID, 1);
    expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('changes nothing, without failing, for an execution neither the holder nor the notice has', async () => {
    dynamo.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(claims.started(ID, 99)).resolves.toBeUndefined();
    expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(2);
  });

  it('passes any other failure of a started write on, untouched', async () => {
    dynamo.on(UpdateItemCommand).rejects(throttled);
    await expect(claims.started(ID, 1)).rejects.toBe(throttled);
    expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('reads the claim item alone, strongly consistent', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [claimToItem(ID, FULL)] });
    expect(await claims.read(ID)).toEqual(FULL);
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'cordon-ledger',
      KeyConditionExpression: 'incidentId = :id AND sk = :claim',
      ExpressionAttributeValues: { ':id': { S: ID }, ':claim': { S: CLAIM_KEY } },
      ConsistentRead: true,
    });
    dynamo.on(QueryCommand).resolves({});
    expect(await claims.read(ID)).toBeUndefined();
  });

  it('closes on the revision it read, reading again after a concurrent write, and gives up after five rounds', async () => {
    const open: IncidentClaim = {
      revision: 2,
      executions: 1,
      holder: {
        playbook: 'ec2-compromise',
        execution: 1,
        started: true,
        claimedAt: '2026-11-28T09:00:00.000Z',
      },
    };
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [claimToItem(ID, open)] })
      .resolves({ Items: [claimToItem(ID, { ...open, revision: 3 })] });
    dynamo.on(PutItemCommand).rejectsOnce(conditionFailed()).resolves({});
    expect(await claims.close(ID, NOW, 'release-instance')).toBe('closed');
    expect(puts().map((input) => input.ExpressionAttributeValues)).toEqual([
      { ':revision': { N: '2' } },
      { ':revision': { N: '3' } },
    ]);
    expect(puts()[1]?.ConditionExpression).toBe('attribute_not_exists(revision) OR revision = :revision');
    expect(unmarshall(puts()[1]?.Item ?? {})).toMatchObject({
      revision: 4,
      closedAt: NOW.toISOString(),
      closedBy: 'release-instance',
    });

    dynamo.reset();
    dynamo.on(QueryCommand).resolves({ Items: [claimToItem(ID, open)] });
    dynamo.on(PutItemCommand).rejects(conditionFailed());
    await expect(claims.close(ID, NOW, 'release-instance')).rejects.toMatchObject({
      name: 'ClaimContendedError',
      message: `The claim of ${ID} kept changing under 5 concurrent writers; the release is retried.`,
    });
    expect(puts()).toHaveLength(5);
  });

  it('passes any other failure of a close write on, untouched', async () => {
    dynamo.on(QueryCommand).resolves({
      Items: [marshall({ incidentId: ID, sk: CLAIM_KEY, playbook: 'ec2-compromise' })],
    });
    dynamo.on(PutItemCommand).rejects(throttled);
    await expect(claims.close(ID, NOW, 'release-instance')).rejects.toBe(throttled);
  });
});
