import { globSync, readFileSync } from 'node:fs';
import {
  type AttributeValue,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoDbDifferential } from '../../../../../test/support/dynamodb-differential.ts';
import { DynamoDbApprovalGroups, type GroupShape } from '../../../../core/src/approval/groups.ts';
import { type ApprovalDecision, DynamoDbApprovalStore } from '../../../../core/src/approval/records.ts';
import { DynamoDbLedger } from '../../../../core/src/ledger/dynamodb-ledger.ts';
import { listDecisions } from '../../../../core/src/ledger/incident-reads.ts';
import { DECISIONS_INDEX } from '../../../../core/src/ledger/indexes.ts';
import type { LedgerEntry } from '../../../../core/src/ledger/ledger.ts';
import type { PlaybookId } from '../../../../core/src/playbooks/ids.ts';
import { DynamoDbCursorStore } from '../../../../core/src/poller/dynamodb-cursor-store.ts';
import { DynamoDbBlastRadius } from '../../../../core/src/triage/blast-radius.ts';
import { pendingRecord } from '../../../../core/test/approval/fixtures.ts';
import { RESERVED_WORDS } from '../../../src/sandbox/models/dynamodb-reserved-words.ts';

/**
 * The sandbox's DynamoDB model against dynalite, a real DynamoDB implementation: every request below is sent to
 * both through `DynamoDbDifferential`, which fails on any difference in output, error or failed-condition item.
 * First Cordon's own stores, verbatim (ledger, claims, leases, blast radius, approvals, poller cursor); then every
 * form of the supported grammar, generated; then the requests DynamoDB refuses. The last test checks that every
 * expression written in Cordon's source was among the requests sent.
 */

const LEDGER = { name: 'ledger', partitionKey: 'incidentId', sortKey: 'sk' } as const;
const APPROVALS = { name: 'approvals', partitionKey: 'approvalId' } as const;
const INCIDENT = 'guardduty-123456789012-us-east-1-b4b01b60fc24a199139f8f5f490edd81';
const NOW = new Date('2026-11-28T10:00:00.000Z');

let differential: DynamoDbDifferential;

beforeAll(async () => {
  differential = await DynamoDbDifferential.start();
});

beforeEach(() => {
  differential?.forgetMismatches();
});

afterAll(async () => {
  await differential?.close();
});

function entry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    incidentId: INCIDENT,
    step: 'isolate-instance',
    at: NOW.toISOString(),
    outcome: 'done',
    dryRun: false,
    settingsVersion: 'v1',
    input: { instanceId: 'i-0abc1234def567890', count: 3, ratio: 0.5, nested: { ok: true, none: null } },
    changes: [],
    notes: ['first'],
    ...overrides,
  };
}

describe("Cordon's DynamoDB calls, answered by the sandbox and by dynalite alike", () => {
  it('the ledger: entries are appended once (a repeated key fails its condition) and read back in order', async () => {
    // Prepare
    const [table] = await differential.tables(LEDGER);
    const ledger = new DynamoDbLedger({
      client: differential.client,
      tableName: String(table),
      retentionDays: 30,
    });
    // The same sequence and random suffix give a second ledger the same sort key: its write must be refused.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.25);
    const twin = new DynamoDbLedger({
      client: differential.client,
      tableName: String(table),
      retentionDays: 30,
    });

    // Act
    await ledger.append(entry());
    const duplicate = twin.append(entry({ notes: ['twin'] }));
    await expect(duplicate).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    random.mockRestore();
    await ledger.append(
      entry({ step: 'snapshot-volumes', at: '2026-11-28T10:01:00.000Z', restore: { eni: 'x' } }),
    );
    const entries = await ledger.entries(INCIDENT);

    // Assess
    expect(entries.map((read) => [read.step, read.notes])).toEqual([
      ['isolate-instance', ['first']],
      ['snapshot-volumes', ['first']],
    ]);
    expect(differential.mismatches).toEqual([]);
  });

  it('the decisions index: only triage’s entries are in it, read month by month in time order; a consistent read of it is refused alike', async () => {
    // Prepare
    const [table] = await differential.tables({
      ...LEDGER,
      globalSecondaryIndexes: [
        {
          indexName: DECISIONS_INDEX.name,
          partitionKey: DECISIONS_INDEX.partitionKey,
          sortKey: DECISIONS_INDEX.sortKey,
        },
      ],
    });
    const ledger = new DynamoDbLedger({
      client: differential.client,
      tableName: String(table),
      retentionDays: 30,
    });
    await ledger.append(entry({ step: 'triage', at: '2026-10-31T23:59:00.000Z', incidentId: 'october' }));
    await ledger.append(entry({ step: 'triage', at: '2026-11-28T10:00:00.000Z' }));
    await ledger.append(entry({ step: 'isolate-instance', at: '2026-11-28T10:01:00.000Z' }));
    await ledger.append(entry({ step: 'triage', at: '2026-11-28T09:00:00.000Z', incidentId: 'earlier' }));

    // Act
    const decisions = await listDecisions(differential.client, {
      tableName: String(table),
      from: new Date('2026-10-01T00:00:00.000Z'),
      to: new Date('2026-11-28T10:00:30.000Z'),
    });
    const consistent = await differential.client
      .send(
        new QueryCommand({
          TableName: table,
          IndexName: DECISIONS_INDEX.name,
          KeyConditionExpression: 'decisionMonth = :month AND sk >= :from',
          ExpressionAttributeValues: { ':month': { S: '2026-11' }, ':from': { S: '2026-11-01' } },
          ConsistentRead: true,
        }),
      )
      .catch((error: unknown) => error);

    // Assess
    expect(decisions.map((read) => [read.incidentId, read.step, read.at])).toEqual([
      ['october', 'triage', '2026-10-31T23:59:00.000Z'],
      ['earlier', 'triage', '2026-11-28T09:00:00.000Z'],
      [INCIDENT, 'triage', '2026-11-28T10:00:00.000Z'],
    ]);
    // The index's partition key is the ledger's business, not the entry's: it is not read back.
    expect(decisions.some((read) => 'decisionMonth' in read)).toBe(false);
    expect(consistent).toMatchObject({ name: 'ValidationException' });
    expect(differential.mismatches).toEqual([]);
  });

  it('execution claims: the first playbook claims, the same one reclaims, another is a duplicate; started, closed by a release, a later occurrence claims again, and an item from before generations is read and moved on', async () => {
    // Prepare
    const [table] = await differential.tables(LEDGER);
    const ledger = new DynamoDbLedger({
      client: differential.client,
      tableName: String(table),
      retentionDays: 30,
    });
    const claim = (playbook: PlaybookId, occurrence?: string) =>
      ledger.claims.claim({
        incidentId: INCIDENT,
        playbook,
        provisional: false,
        now: NOW,
        ...(occurrence === undefined ? {} : { occurrence }),
      });
    // An item as the ledger wrote it before generations: a playbook and a time, no revision.
    await differential.client.send(
      new PutItemCommand({
        TableName: String(table),
        Item: {
          incidentId: { S: `${INCIDENT}-legacy` },
          sk: { S: '~execution' },
          playbook: { S: 'ec2-compromise' },
          claimedAt: { S: NOW.toISOString() },
        },
      }),
    );

    // Act
    const outcomes = [
      (await claim('ec2-compromise')).outcome,
      (await claim('ec2-compromise')).outcome,
      (await claim('credential-compromise')).outcome,
    ];
    await ledger.claims.started(INCIDENT, 1);
    const afterStart = (await claim('ec2-compromise')).outcome;
    const closed = await ledger.closeClaim(INCIDENT, NOW, 'release-instance');
    const older = (await claim('ec2-compromise', '2026-11-28T09:00:00.000Z')).outcome;
    const later = await claim('ec2-compromise', '2026-11-28T11:00:00.000Z');
    await ledger.claims.started(INCIDENT, 99); // neither the holder's nor a notice's: changes nothing
    const legacy = await ledger.closeClaim(`${INCIDENT}-legacy`, NOW, 'release-instance');

    // Assess
    expect(outcomes).toEqual(['claimed', 'reclaimed', 'duplicate']);
    expect([afterStart, closed, older]).toEqual(['duplicate', 'closed', 'duplicate']);
    expect(later).toMatchObject({ outcome: 'claimed', execution: 2, executionName: `${INCIDENT}-2` });
    expect(legacy).toBe('closed');
    expect((await ledger.claims.read(`${INCIDENT}-legacy`))?.closed?.at).toBe(NOW.toISOString());
    expect(await ledger.entries(INCIDENT)).toEqual([]);
    expect(differential.mismatches).toEqual([]);
  });

  it('leases: granted when free, to the holder again, to another once run out; refused with the holder otherwise', async () => {
    // Prepare
    const [table] = await differential.tables(LEDGER);
    const ledger = new DynamoDbLedger({
      client: differential.client,
      tableName: String(table),
      retentionDays: 30,
    });
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

    // Act
    const results = [
      await ledger.acquireLease('i-0abc1234def567890', 'incident-a', at(15), at(0)),
      await ledger.acquireLease('i-0abc1234def567890', 'incident-a', at(20), at(1)),
      await ledger.acquireLease('i-0abc1234def567890', 'incident-b', at(25), at(2)),
      await ledger.acquireLease('i-0abc1234def567890', 'incident-b', at(40), at(21)),
    ];
    await ledger.releaseLease('i-0abc1234def567890', 'incident-a');
    await ledger.releaseLease('i-0abc1234def567890', 'incident-b');
    await ledger.releaseLease('i-0abc1234def567890', 'incident-b');

    // Assess
    expect(results).toEqual([
      { acquired: true },
      { acquired: true },
      { acquired: false, holder: 'incident-a' },
      { acquired: true },
    ]);
    expect(differential.sandboxItems(String(table))).toEqual([]);
    expect(differential.mismatches).toEqual([]);
  });

  it('blast radius: the conditional update alone lets a first containment through with a limit of 0 (as DynamoDB evaluates it), so a limit of 0 is refused before DynamoDB is asked', async () => {
    // Prepare: the known case — DynamoDB treats a missing counter as "not exists", whatever the limit.
    const [table] = await differential.tables(LEDGER);
    const blastRadius = new DynamoDbBlastRadius(differential.client, String(table));
    const consume = (account: string, limit: number) =>
      differential.client
        .send(
          new UpdateItemCommand({
            TableName: String(table),
            Key: { incidentId: { S: `blast-radius#${account}` }, sk: { S: '2026-01-01T00' } },
            UpdateExpression: 'ADD containments :one SET expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(containments) OR containments < :limit',
            ExpressionAttributeValues: {
              ':one': { N: '1' },
              ':limit': { N: String(limit) },
              ':expires': { N: '1' },
            },
          }),
        )
        .then(
          () => true,
          (error: Error) =>
            error.name === 'ConditionalCheckFailedException' ? false : Promise.reject(error),
        );

    // Act
    const rawLimitZero = [await consume('111111111111', 0), await consume('111111111111', 0)];
    const storeLimitZero = [
      await blastRadius.tryConsume('333333333333', NOW, 0),
      await blastRadius.tryConsume('333333333333', NOW, 0),
    ];
    const limitTwo = [
      await blastRadius.tryConsume('222222222222', NOW, 2),
      await blastRadius.tryConsume('222222222222', NOW, 2),
      await blastRadius.tryConsume('222222222222', NOW, 2),
    ];

    // Assess
    expect(rawLimitZero).toEqual([true, false]);
    expect(storeLimitZero).toEqual([false, false]);
    expect(limitTwo).toEqual([true, true, false]);
    expect(differential.mismatches).toEqual([]);
  });

  it('blast radius: a slot given back lowers the count; giving back with none taken fails its condition', async () => {
    // Prepare
    const [table] = await differential.tables(LEDGER);
    const blastRadius = new DynamoDbBlastRadius(differential.client, String(table));
    await blastRadius.tryConsume('111111111111', NOW, 1);

    // Act
    await blastRadius.release('111111111111', NOW);
    const again = blastRadius.release('111111111111', NOW);
    const never = blastRadius.release('333333333333', NOW);

    // Assess
    await expect(again).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    await expect(never).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(await blastRadius.tryConsume('111111111111', NOW, 1)).toBe(true);
    expect(differential.mismatches).toEqual([]);
  });

  it('approvals: created once, decided once, then already-decided; expired and unknown ones are told apart', async () => {
    // Prepare
    const [table] = await differential.tables(APPROVALS);
    const store = new DynamoDbApprovalStore({ client: differential.client, tableName: String(table) });
    const decision = (decidedAt: string): ApprovalDecision => ({
      decision: 'approve',
      decidedBy: { kind: 'slack', id: 'U0APPROVER', name: 'alice' },
      decidedAt,
      comment: 'go',
    });
    await store.create(pendingRecord());
    const expired = { ...pendingRecord(), approvalId: 'expired-approval-0001' };
    await store.create(expired);

    // Act
    const twice = await store.create(pendingRecord()).catch((error: unknown) => error);
    const results = [
      await store.decide(pendingRecord().approvalId, decision('2026-11-28T10:05:00.000Z'), 'pending'),
      await store.decide(pendingRecord().approvalId, decision('2026-11-28T10:06:00.000Z'), 'pending'),
      await store.decide(expired.approvalId, decision('2026-11-28T11:30:00.000Z'), 'pending'),
      await store.decide('unknown-approval-0001', decision('2026-11-28T10:05:00.000Z'), 'pending'),
    ];
    await store.recordCallback(pendingRecord().approvalId, {
      status: 'sent',
      at: '2026-11-28T10:05:01.000Z',
    });
    await store.recordSlackMessage(pendingRecord().approvalId, {
      channel: 'C0CHANNEL',
      ts: '1764324300.000100',
    });
    await store.recordCallback('unknown-approval-0001', { status: 'failed', at: '2026-11-28T10:05:01.000Z' });

    // Assess
    expect(twice).toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(results).toEqual(['decided', 'already-decided', 'expired', 'not-found']);
    expect(await store.get(pendingRecord().approvalId)).toMatchObject({
      status: 'approved',
      callback: { status: 'sent' },
      slackMessage: { channel: 'C0CHANNEL' },
    });
    expect(await store.get('unknown-approval-0001')).toBeUndefined();
    expect(differential.mismatches).toEqual([]);
  });

  it('approval groups: the pointer moves on once per generation, places are taken once, counts only rise, and announcements, updates, rounds, redeliveries and withdrawals are each claimed once', async () => {
    // Prepare
    const [table] = await differential.tables(APPROVALS);
    const tableName = String(table);
    const groups = new DynamoDbApprovalGroups({ client: differential.client, tableName });
    const store = new DynamoDbApprovalStore({ client: differential.client, tableName });
    const shape: GroupShape = {
      account: '123456789012',
      region: 'us-east-1',
      playbook: 'ec2-compromise',
      findingType: 'Backdoor:EC2/C&CActivity.B!DNS',
      category: 'instance-compromise',
      step: 'contain-instance',
      actions: ['request-approval', 'contain-instance'],
      dryRun: false,
      timeoutDefault: 'reject',
      timeoutSeconds: 3600,
      approvers: { slackUserIds: ['U0APPROVER'], slackUserGroupIds: [], identities: [] },
    };
    const window = { openedAt: '2026-11-28T10:00:00.000Z', windowEndsAt: '2026-11-28T10:10:00.000Z' };
    const membership = {
      groupId: 'AbCdEfGhIjKlMnOpQrStUv_1',
      keyHash: 'AbCdEfGhIjKlMnOpQrStUv',
      generation: 1,
      shape,
      ...window,
      linkExpiresAt: '2026-11-28T11:09:30.000Z',
    };
    const decision: ApprovalDecision = {
      decision: 'approve',
      decidedBy: { kind: 'slack', id: 'U0APPROVER' },
      decidedAt: '2026-11-28T10:05:00.000Z',
      round: 1,
    };
    const at = (minute: number) => `2026-11-28T10:${String(minute).padStart(2, '0')}:00.000Z`;

    // Act
    const advanced = [
      await groups.advance('AbCdEfGhIjKlMnOpQrStUv', 0, window),
      await groups.advance('AbCdEfGhIjKlMnOpQrStUv', 0, window),
    ];
    const pointer = await groups.pointer('AbCdEfGhIjKlMnOpQrStUv');
    await store.create({
      ...pendingRecord(),
      approvalId: 'AbCdEfGhIjKlMnOpQrStUv_1-1',
      group: { id: membership.groupId, seq: 1 },
    });
    const taken = await store
      .create({ ...pendingRecord(), approvalId: 'AbCdEfGhIjKlMnOpQrStUv_1-1' })
      .catch((error: unknown) => error);
    await store.create({
      ...pendingRecord(),
      approvalId: 'AbCdEfGhIjKlMnOpQrStUv_1-2',
      group: { id: membership.groupId, seq: 2 },
    });
    await groups.noteMember(membership, 2, at(1));
    await groups.noteMember(membership, 1, at(1));
    const announcements = [
      await groups.claimAnnouncement(membership.groupId, at(1), at(0)),
      await groups.claimAnnouncement(membership.groupId, at(1), at(0)),
    ];
    await groups.recordAnnouncement(membership.groupId, {
      state: 'done',
      at: at(1),
      slackMessage: { channel: 'C0SEC', ts: '1.1' },
      snsPublished: true,
      shownCount: 1,
    });
    const updates = [
      await groups.claimUpdate(membership.groupId, 2, at(2), at(1)),
      await groups.claimUpdate(membership.groupId, 2, at(3), at(2)),
    ];
    const rounds = [
      await groups.claimRound(membership.groupId, { n: 1, from: 0, through: 1, decision }),
      await groups.claimRound(membership.groupId, { n: 1, from: 0, through: 2, decision }),
      await groups.claimRound(membership.groupId, {
        n: 2,
        from: 1,
        through: 3,
        decision: { ...decision, round: 2 },
      }),
      await groups.claimRound(membership.groupId, {
        n: 2,
        from: 1,
        through: 2,
        decision: { ...decision, round: 2 },
      }),
    ];
    await groups.recordTally(membership.groupId, {
      at: at(5),
      total: 2,
      waiting: 0,
      approved: 2,
      rejected: 0,
      expired: 0,
      withdrawn: 0,
      undelivered: 1,
      failed: 0,
    });
    const decided = await store.decide('AbCdEfGhIjKlMnOpQrStUv_1-1', decision, 'pending');
    await store.recordCallback('AbCdEfGhIjKlMnOpQrStUv_1-1', {
      status: 'failed',
      at: at(5),
      error: 'ThrottlingException',
      retryable: true,
    });
    const redeliveries = [
      await store.claimRedelivery('AbCdEfGhIjKlMnOpQrStUv_1-1', at(6), at(4)),
      await store.claimRedelivery('AbCdEfGhIjKlMnOpQrStUv_1-1', at(6), at(4)),
    ];
    const withdrawals = [
      await store.withdraw('AbCdEfGhIjKlMnOpQrStUv_1-2'),
      await store.withdraw('AbCdEfGhIjKlMnOpQrStUv_1-2'),
    ];
    const group = await groups.get(membership.groupId);

    // Assess
    expect(advanced).toEqual([true, false]);
    expect(pointer).toEqual({ generation: 1, ...window });
    expect(taken).toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(announcements).toEqual([true, false]);
    expect(updates).toEqual([true, false]);
    expect(rounds).toEqual(['claimed', 'conflict', 'conflict', 'claimed']);
    expect(decided).toBe('decided');
    expect(redeliveries).toEqual([true, false]);
    expect(withdrawals).toEqual([true, false]);
    expect(group).toMatchObject({
      memberCount: 2,
      announceState: 'done',
      slackMessage: { channel: 'C0SEC', ts: '1.1' },
      shownCount: 2,
      decidedThrough: 2,
      rounds: 2,
      tally: { undelivered: 1 },
    });
    expect(group?.roundList.map((round) => [round.from, round.through])).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(differential.mismatches).toEqual([]);
  });

  it("the poller's cursor only moves forward: an earlier write is refused by its condition and kept out", async () => {
    // Prepare
    const [table] = await differential.tables(LEDGER);
    const cursors = new DynamoDbCursorStore({ client: differential.client, tableName: String(table) });

    // Act
    const first = await cursors.read('d1');
    await cursors.write('d1', { updatedAt: 1_764_324_000_000 });
    await cursors.write('d1', { updatedAt: 1_764_323_000_000 });
    await cursors.write('d1', { updatedAt: 1_764_324_000_000 });
    const kept = await cursors.read('d1');
    await cursors.write('d1', { updatedAt: 1_764_325_000_000 });

    // Assess
    expect(first).toBeUndefined();
    expect(kept).toEqual({ updatedAt: 1_764_324_000_000 });
    expect(await cursors.read('d1')).toEqual({ updatedAt: 1_764_325_000_000 });
    expect(differential.mismatches).toEqual([]);
  });
});

// ---- the grammar, generated ------------------------------------------------------------------------

/** Attribute names: reserved words (always through a #placeholder) and plain ones (bare or #placeholder). */
const NAMES = ['status', 'holder', 'count', 'leaseUntil', 'note'] as const;
/** Values ordered in conditions (`<`, `<=`, `>`, `>=`): strings and numbers, not in canonical form too. */
const ordered = fc.oneof(
  fc.constantFrom('pending', 'approved', 'a', 'b', '', 'Z').map((S): AttributeValue => ({ S })),
  fc
    .constantFrom(
      '0',
      '1',
      '-1',
      '2.5',
      '10',
      '1e3',
      '007',
      '0.50',
      '-0',
      '12345678901234567890123456789012345678',
      '12345678901234567890123456789012345679',
    )
    .map((N): AttributeValue => ({ N })),
);
/** Values compared for equality: those, booleans and null. */
const scalar = fc.oneof(
  ordered,
  fc.boolean().map((BOOL): AttributeValue => ({ BOOL })),
  fc.constant<AttributeValue>({ NULL: true }),
);
/** Stored values also include documents and sets (compared with scalars they match nothing, in both). */
const stored = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.constant<AttributeValue>({ M: { a: { S: 'x' } } }) },
  { weight: 1, arbitrary: fc.constant<AttributeValue>({ L: [{ N: '1' }] }) },
  { weight: 1, arbitrary: fc.constant<AttributeValue>({ SS: ['x', 'y'] }) },
);
const storedItem = fc.option(fc.dictionary(fc.constantFrom(...NAMES), stored, { maxKeys: 4 }), {
  nil: undefined,
});

type Term =
  | { kind: 'compare'; name: string; comparator: string; value: AttributeValue; flipped: boolean }
  | { kind: 'exists'; name: string; exists: boolean };
type Tree = Term | { kind: 'and' | 'or'; left: Tree; right: Tree };

const term: fc.Arbitrary<Term> = fc.oneof(
  fc.record({
    kind: fc.constant('compare' as const),
    name: fc.constantFrom(...NAMES),
    comparator: fc.constantFrom('=', '<>'),
    value: scalar,
    flipped: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('compare' as const),
    name: fc.constantFrom(...NAMES),
    comparator: fc.constantFrom('<', '<=', '>', '>='),
    value: ordered,
    flipped: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('exists' as const), name: fc.constantFrom(...NAMES), exists: fc.boolean() }),
);
const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    term,
    fc.record({
      kind: fc.constantFrom('and' as const, 'or' as const),
      left: tie('tree'),
      right: tie('tree'),
    }),
  ),
})).tree;

/** Writes a tree as an expression with the placeholders it uses (names bare unless reserved or chosen #). */
function expression(condition: Tree, bare: boolean) {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const nameOf = (name: string) => {
    if (bare && !RESERVED_WORDS.has(name.toUpperCase())) return name;
    names[`#${name}`] = name;
    return `#${name}`;
  };
  const write = (node: Tree): string => {
    if ('left' in node) return `${write(node.left)} ${node.kind.toUpperCase()} ${write(node.right)}`;
    if (node.kind === 'exists')
      return `${node.exists ? 'attribute_exists' : 'attribute_not_exists'}(${nameOf(node.name)})`;
    const placeholder = `:v${Object.keys(values).length}`;
    values[placeholder] = node.value;
    return node.flipped
      ? `${placeholder} ${node.comparator} ${nameOf(node.name)}`
      : `${nameOf(node.name)} ${node.comparator} ${placeholder}`;
  };
  const text = write(condition);
  return {
    text,
    ...(Object.keys(names).length === 0 ? {} : { ExpressionAttributeNames: names }),
    ...(Object.keys(values).length === 0 ? {} : { ExpressionAttributeValues: values }),
  };
}

describe('every form of the supported grammar, generated, answered alike', () => {
  it('conditions (comparisons either way round, existence, AND binding tighter than OR) pass and fail alike on any item', async () => {
    const [table] = await differential.tables(LEDGER);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        storedItem,
        tree,
        fc.boolean(),
        fc.constantFrom('PutItem', 'DeleteItem', 'UpdateItem'),
        async (item, condition, bare, command) => {
          // Prepare: each run is judged on its own exchanges.
          differential.forgetMismatches();
          run += 1;
          const Key = { incidentId: { S: `generated-${run}` }, sk: { S: 'condition' } };
          if (item !== undefined) {
            await differential.client.send(
              new PutItemCommand({ TableName: table, Item: { ...item, ...Key } }),
            );
          }
          const { text, ...placeholders } = expression(condition, bare);
          const guarded = {
            TableName: table,
            ConditionExpression: text,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
            ...placeholders,
          };

          // Act
          const write =
            command === 'PutItem'
              ? new PutItemCommand({
                  ...guarded,
                  Item: { ...Key, note: { S: 'written' } },
                  ReturnValues: 'ALL_OLD',
                })
              : command === 'DeleteItem'
                ? new DeleteItemCommand({ ...guarded, Key, ReturnValues: 'ALL_OLD' })
                : new UpdateItemCommand({
                    ...guarded,
                    Key,
                    UpdateExpression: 'SET note = :written',
                    ExpressionAttributeValues: {
                      ...placeholders.ExpressionAttributeValues,
                      ':written': { S: 'written' },
                    },
                  });
          // One call of the three: `send` is typed per command class.
          const sent =
            write instanceof PutItemCommand
              ? differential.client.send(write)
              : write instanceof DeleteItemCommand
                ? differential.client.send(write)
                : differential.client.send(write);
          await sent.catch((error: Error) => {
            if (error.name !== 'ConditionalCheckFailedException') throw error;
          });
          await differential.client.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }));

          // Assess: the differential client has compared every answer.
          expect(differential.mismatches).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
    // The generated writes met both answers, so the comparison covered passing and failing conditions.
    const writes = differential.exchanges.filter(
      (exchange) => exchange.input.TableName === table && exchange.input.ConditionExpression !== undefined,
    );
    expect(new Set(writes.map((exchange) => (exchange.sandbox.ok ? 'ok' : exchange.sandbox.name)))).toEqual(
      new Set(['ok', 'ConditionalCheckFailedException']),
    );
  });

  it('updates (SET values, ADD numbers to present, missing or mistyped attributes) leave the same item', async () => {
    const [table] = await differential.tables(LEDGER);
    // Integers: a fraction added to a stored 38-digit number needs a 39th digit, which DynamoDB refuses and
    // dynalite stores (see dynamodb.test.ts); decimals still meet stored decimals.
    const numbers = fc.constantFrom('1', '-1', '1e3', '100', '-7');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        storedItem,
        fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 }),
        fc.array(fc.oneof(scalar, stored), { minLength: 4, maxLength: 4 }),
        fc.array(numbers, { minLength: 4, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        async (item, names, setValues, addValues, adds) => {
          // Prepare: each run is judged on its own exchanges.
          differential.forgetMismatches();
          run += 1;
          const Key = { incidentId: { S: `generated-${run}` }, sk: { S: 'update' } };
          if (item !== undefined) {
            await differential.client.send(
              new PutItemCommand({ TableName: table, Item: { ...item, ...Key } }),
            );
          }
          const clauses = { SET: [] as string[], ADD: [] as string[] };
          const values: Record<string, AttributeValue> = {};
          const attributeNames: Record<string, string> = {};
          names.forEach((name, index) => {
            attributeNames[`#n${index}`] = name;
            values[`:v${index}`] = adds[index]
              ? { N: addValues[index] ?? '1' }
              : (setValues[index] ?? { S: 'x' });
            if (adds[index]) clauses.ADD.push(`#n${index} :v${index}`);
            else clauses.SET.push(`#n${index} = :v${index}`);
          });
          const UpdateExpression = (['SET', 'ADD'] as const)
            .filter((clause) => clauses[clause].length > 0)
            .map((clause) => `${clause} ${clauses[clause].join(', ')}`)
            .join(' ');

          // Act
          await differential.client
            .send(
              new UpdateItemCommand({
                TableName: table,
                Key,
                UpdateExpression,
                ExpressionAttributeNames: attributeNames,
                ExpressionAttributeValues: values,
              }),
            )
            .catch((error: Error) => {
              if (error.name !== 'ValidationException') throw error;
            });
          await differential.client.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }));

          // Assess
          expect(differential.mismatches).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
    // Both successful updates and refused ones (ADD to a non-number, a reserved word) were compared.
    const updates = differential.exchanges.filter(
      (exchange) => exchange.input.TableName === table && exchange.command === 'UpdateItem',
    );
    expect(new Set(updates.map((exchange) => (exchange.sandbox.ok ? 'ok' : exchange.sandbox.name)))).toEqual(
      new Set(['ok', 'ValidationException']),
    );
  });

  it('a partition is read in sort-key order, forwards and backwards, and resumed after an exclusive start key', async () => {
    // Prepare
    const [table] = await differential.tables(LEDGER);
    for (const sk of [
      '2026-11-28T10:00:00.000Z#a',
      '2026-11-28T10:01:00.000Z#b',
      '~execution',
      '2026-11-28T09:59:00.000Z#c',
    ]) {
      await differential.client.send(
        new PutItemCommand({ TableName: table, Item: { incidentId: { S: INCIDENT }, sk: { S: sk } } }),
      );
    }
    await differential.client.send(
      new PutItemCommand({ TableName: table, Item: { incidentId: { S: 'other' }, sk: { S: 'x' } } }),
    );
    const query = (extra: Partial<QueryCommand['input']> = {}) =>
      differential.client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'incidentId = :id',
          ExpressionAttributeValues: { ':id': { S: INCIDENT }, ...extra.ExpressionAttributeValues },
          ...extra,
        }),
      );

    // Act
    const forward = await query({ ConsistentRead: true });
    const backward = await query({ ScanIndexForward: false });
    const resumed = await query({
      ExclusiveStartKey: { incidentId: { S: INCIDENT }, sk: { S: '2026-11-28T10:00:00.000Z#a' } },
    });
    const bounded = await query({
      KeyConditionExpression: 'incidentId = :id AND sk < :before',
      ExpressionAttributeValues: { ':id': { S: INCIDENT }, ':before': { S: '~' } },
    });

    // Assess
    const sortKeys = (answer: { Items?: Record<string, AttributeValue>[] }) =>
      answer.Items?.map((item) => item.sk?.S);
    expect(sortKeys(forward)).toEqual([
      '2026-11-28T09:59:00.000Z#c',
      '2026-11-28T10:00:00.000Z#a',
      '2026-11-28T10:01:00.000Z#b',
      '~execution',
    ]);
    expect(sortKeys(backward)).toEqual(sortKeys(forward)?.reverse());
    expect(sortKeys(resumed)).toEqual(['2026-11-28T10:01:00.000Z#b', '~execution']);
    expect(sortKeys(bounded)).toHaveLength(3);
    expect(differential.mismatches).toEqual([]);
  });
});

// ---- refusals ----------------------------------------------------------------------------------------

describe('requests DynamoDB refuses are refused alike, with the same error', () => {
  // One table for all: every request here is refused, so none leaves an item behind.
  let shared = '';
  beforeAll(async () => {
    [shared = ''] = await differential.tables(LEDGER);
  });
  const LEDGER_KEY = { incidentId: { S: INCIDENT }, sk: { S: 'refusals' } };
  const put = (extra: Partial<PutItemCommand['input']>, TableName: string) =>
    new PutItemCommand({ TableName, Item: { ...LEDGER_KEY, holder: { S: 'h' } }, ...extra });
  const update = (extra: Partial<UpdateItemCommand['input']>, TableName: string) =>
    new UpdateItemCommand({ TableName, Key: LEDGER_KEY, ...extra });
  const query = (extra: Partial<QueryCommand['input']>, TableName: string) =>
    new QueryCommand({ TableName, ...extra });
  const S = (value: string): AttributeValue => ({ S: value });

  it.each([
    [
      'a reserved word used bare',
      (t: string) =>
        put({ ConditionExpression: 'status = :s', ExpressionAttributeValues: { ':s': S('x') } }, t),
    ],
    [
      'a reserved word before an undefined placeholder',
      (t: string) => put({ ConditionExpression: ':missing = status' }, t),
    ],
    ['an undefined value placeholder', (t: string) => put({ ConditionExpression: 'holder = :missing' }, t)],
    [
      'an undefined name placeholder',
      (t: string) =>
        put({ ConditionExpression: '#nope = :s', ExpressionAttributeValues: { ':s': S('x') } }, t),
    ],
    [
      'a value nothing uses',
      (t: string) =>
        put(
          {
            ConditionExpression: 'attribute_exists(holder)',
            ExpressionAttributeValues: { ':unused': S('x') },
          },
          t,
        ),
    ],
    [
      'a name nothing uses',
      (t: string) =>
        put(
          { ConditionExpression: 'attribute_exists(holder)', ExpressionAttributeNames: { '#unused': 'x' } },
          t,
        ),
    ],
    ['names without an expression', (t: string) => put({ ExpressionAttributeNames: { '#h': 'holder' } }, t)],
    ['values without an expression', (t: string) => put({ ExpressionAttributeValues: { ':h': S('x') } }, t)],
    [
      'an empty values map',
      (t: string) =>
        put({ ConditionExpression: 'attribute_exists(holder)', ExpressionAttributeValues: {} }, t),
    ],
    [
      'a value key without its colon',
      (t: string) => put({ ConditionExpression: 'holder = :h', ExpressionAttributeValues: { h: S('x') } }, t),
    ],
    [
      'a syntax error',
      (t: string) =>
        put({ ConditionExpression: 'holder = = :s', ExpressionAttributeValues: { ':s': S('x') } }, t),
    ],
    ['an empty expression', (t: string) => put({ ConditionExpression: '' }, t)],
    [
      'an unknown function',
      (t: string) =>
        put(
          { ConditionExpression: 'starts_with(holder, :s)', ExpressionAttributeValues: { ':s': S('x') } },
          t,
        ),
    ],
    [
      'an update function in a condition',
      (t: string) =>
        put(
          { ConditionExpression: 'if_not_exists(holder, :s)', ExpressionAttributeValues: { ':s': S('x') } },
          t,
        ),
    ],
    ['one attribute compared with itself', (t: string) => put({ ConditionExpression: 'holder = holder' }, t)],
    ['a number that is not one', (t: string) => put({ Item: { ...LEDGER_KEY, n: { N: 'twelve' } } }, t)],
    [
      'a number of 39 significant digits',
      (t: string) => put({ Item: { ...LEDGER_KEY, n: { N: '123456789012345678901234567890123456789' } } }, t),
    ],
    ['a number beyond 1E+126', (t: string) => put({ Item: { ...LEDGER_KEY, n: { N: '1e126' } } }, t)],
    ['a NULL that is false', (t: string) => put({ Item: { ...LEDGER_KEY, n: { NULL: false } } }, t)],
    ['an item without its sort key', (t: string) => put({ Item: { incidentId: S(INCIDENT) } }, t)],
    ['a key of the wrong type', (t: string) => put({ Item: { incidentId: S(INCIDENT), sk: { N: '1' } } }, t)],
    ['an empty key string', (t: string) => put({ Item: { incidentId: S(''), sk: S('x') } }, t)],
    [
      'a sort key over 1,024 bytes',
      (t: string) => put({ Item: { incidentId: S(INCIDENT), sk: S('x'.repeat(1025)) } }, t),
    ],
    ['ReturnValues a put does not have', (t: string) => put({ ReturnValues: 'UPDATED_NEW' }, t)],
    [
      'a key missing its sort key',
      (t: string) => new GetItemCommand({ TableName: t, Key: { incidentId: S(INCIDENT) } }),
    ],
    [
      'a table that does not exist',
      () => new GetItemCommand({ TableName: 'no-such-table', Key: LEDGER_KEY }),
    ],
    [
      'an update of a key attribute',
      (t: string) =>
        update({ UpdateExpression: 'SET sk = :v', ExpressionAttributeValues: { ':v': S('x') } }, t),
    ],
    [
      'one attribute set twice',
      (t: string) =>
        update(
          { UpdateExpression: 'SET holder = :v, holder = :v', ExpressionAttributeValues: { ':v': S('x') } },
          t,
        ),
    ],
    [
      'one attribute set and added to',
      (t: string) =>
        update(
          {
            UpdateExpression: 'SET holder = :v ADD holder :n',
            ExpressionAttributeValues: { ':v': { N: '1' }, ':n': { N: '1' } },
          },
          t,
        ),
    ],
    [
      'a section used twice',
      (t: string) =>
        update({ UpdateExpression: 'SET a = :v SET b = :v', ExpressionAttributeValues: { ':v': S('x') } }, t),
    ],
    [
      'ADD of a string',
      (t: string) =>
        update({ UpdateExpression: 'ADD holder :v', ExpressionAttributeValues: { ':v': S('x') } }, t),
    ],
    [
      'a query without the partition key',
      (t: string) =>
        query({ KeyConditionExpression: 'sk = :s', ExpressionAttributeValues: { ':s': S('x') } }, t),
    ],
    [
      'a query with OR',
      (t: string) =>
        query(
          {
            KeyConditionExpression: 'incidentId = :i OR sk = :s',
            ExpressionAttributeValues: { ':i': S(INCIDENT), ':s': S('x') },
          },
          t,
        ),
    ],
    [
      'a query with <> on the sort key',
      (t: string) =>
        query(
          {
            KeyConditionExpression: 'incidentId = :i AND sk <> :s',
            ExpressionAttributeValues: { ':i': S(INCIDENT), ':s': S('x') },
          },
          t,
        ),
    ],
    [
      'a query with < on the partition key',
      (t: string) =>
        query(
          { KeyConditionExpression: 'incidentId < :i', ExpressionAttributeValues: { ':i': S(INCIDENT) } },
          t,
        ),
    ],
    [
      'a query on a non-key attribute',
      (t: string) =>
        query(
          {
            KeyConditionExpression: 'incidentId = :i AND holder = :s',
            ExpressionAttributeValues: { ':i': S(INCIDENT), ':s': S('x') },
          },
          t,
        ),
    ],
    [
      'a query value of the wrong type',
      (t: string) =>
        query(
          { KeyConditionExpression: 'incidentId = :i', ExpressionAttributeValues: { ':i': { N: '1' } } },
          t,
        ),
    ],
    ['a query without a key condition', (t: string) => query({}, t)],
  ] as const)('%s', async (_case, request) => {
    // Act
    const answer = await differential.client.send(request(shared) as PutItemCommand).then(
      () => undefined,
      (error: Error) => error,
    );

    // Assess: refused alike (the differential client compared name and message), and refused.
    expect(differential.mismatches).toEqual([]);
    expect(answer?.name).toMatch(/^(ValidationException|ResourceNotFoundException)$/);
  });

  it('ADD to an attribute that holds a string is refused alike once the condition passes', async () => {
    // Prepare
    const [table] = await differential.tables(LEDGER);
    await differential.client.send(put({}, String(table)));

    // Act
    const answer = await differential.client
      .send(
        update(
          { UpdateExpression: 'ADD holder :n', ExpressionAttributeValues: { ':n': { N: '1' } } },
          String(table),
        ),
      )
      .catch((error: Error) => error);

    // Assess
    expect(answer).toMatchObject({
      name: 'ValidationException',
      message: 'An operand in the update expression has an incorrect data type',
    });
    expect(differential.mismatches).toEqual([]);
  });
});

describe('what the sandbox does not model is refused by it, though DynamoDB would answer', () => {
  let shared = '';
  beforeAll(async () => {
    [shared = ''] = await differential.tables(LEDGER);
  });
  const KEY = { incidentId: { S: INCIDENT }, sk: { S: 'unmodelled' } };
  const V = { ':v': { S: 'x' } };
  type Request = (table: string) => PutItemCommand | UpdateItemCommand | GetItemCommand | QueryCommand;
  const condition =
    (parameters: Partial<PutItemCommand['input']>): Request =>
    (TableName) =>
      new PutItemCommand({ TableName, Item: KEY, ...parameters });
  const update =
    (parameters: Partial<UpdateItemCommand['input']>): Request =>
    (TableName) =>
      new UpdateItemCommand({ TableName, Key: KEY, ...parameters });
  const query =
    (parameters: Partial<QueryCommand['input']>): Request =>
    (TableName) =>
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'incidentId = :i',
        ...parameters,
        ExpressionAttributeValues: { ':i': { S: INCIDENT }, ...parameters.ExpressionAttributeValues },
      });

  it.each<[string, Request]>([
    [
      'a condition with BETWEEN',
      condition({
        ConditionExpression: 'holder BETWEEN :v AND :w',
        ExpressionAttributeValues: { ...V, ':w': { S: 'y' } },
      }),
    ],
    [
      'a condition with IN',
      condition({ ConditionExpression: 'holder IN (:v)', ExpressionAttributeValues: V }),
    ],
    ['a condition with NOT', condition({ ConditionExpression: 'NOT attribute_exists(holder)' })],
    [
      'a condition with parentheses',
      condition({
        ConditionExpression: '(attribute_not_exists(holder) OR holder = :v) AND attribute_not_exists(note)',
        ExpressionAttributeValues: V,
      }),
    ],
    [
      'a condition with begins_with',
      condition({ ConditionExpression: 'begins_with(holder, :v)', ExpressionAttributeValues: V }),
    ],
    [
      'a condition with contains',
      condition({ ConditionExpression: 'contains(holder, :v)', ExpressionAttributeValues: V }),
    ],
    [
      'a condition with size',
      condition({
        ConditionExpression: 'size(holder) > :n',
        ExpressionAttributeValues: { ':n': { N: '1' } },
      }),
    ],
    [
      'a condition with attribute_type',
      condition({
        ConditionExpression: 'attribute_type(holder, :v)',
        ExpressionAttributeValues: { ':v': { S: 'S' } },
      }),
    ],
    ['a condition on a nested path', condition({ ConditionExpression: 'attribute_not_exists(doc.holder)' })],
    ['a condition comparing two attributes', condition({ ConditionExpression: 'holder = note' })],
    [
      'a condition ordering a boolean',
      condition({ ConditionExpression: 'holder < :b', ExpressionAttributeValues: { ':b': { BOOL: true } } }),
    ],
    ['an update with REMOVE', update({ UpdateExpression: 'REMOVE holder' })],
    [
      'an update with DELETE',
      update({ UpdateExpression: 'DELETE tags :v', ExpressionAttributeValues: { ':v': { SS: ['x'] } } }),
    ],
    ['an update copying an attribute', update({ UpdateExpression: 'SET holder = sk' })],
    [
      'an update with if_not_exists',
      update({ UpdateExpression: 'SET holder = if_not_exists(holder, :v)', ExpressionAttributeValues: V }),
    ],
    [
      'an update with arithmetic',
      update({ UpdateExpression: 'SET n = :n + :n', ExpressionAttributeValues: { ':n': { N: '1' } } }),
    ],
    [
      'an update adding to a set',
      update({ UpdateExpression: 'ADD tags :v', ExpressionAttributeValues: { ':v': { SS: ['x'] } } }),
    ],
    [
      'an update asking for ReturnValues ALL_NEW',
      update({ UpdateExpression: 'SET holder = :v', ExpressionAttributeValues: V, ReturnValues: 'ALL_NEW' }),
    ],
    [
      'a read with a projection',
      (TableName) => new GetItemCommand({ TableName, Key: KEY, ProjectionExpression: 'holder' }),
    ],
    ['a query with a filter', query({ FilterExpression: 'holder = :v', ExpressionAttributeValues: V })],
    ['a query with a limit', query({ Limit: 1 })],
  ])('%s', async (_case, request) => {
    // Act
    const { sandbox, reference } = await differential.sendToEach(request(shared));

    // Assess: DynamoDB took the request (it answered, or its condition did not hold); the sandbox refused it.
    expect(reference.ok || reference.name === 'ConditionalCheckFailedException').toBe(true);
    expect(sandbox).toMatchObject({
      ok: false,
      name: 'ValidationException',
      message: expect.stringContaining('The sandbox does not support'),
    });
  });
});

// ---- coverage --------------------------------------------------------------------------------------

describe("every expression in Cordon's source", () => {
  const EXPRESSION = /\b(Condition|Update|KeyCondition|Filter|Projection)Expression:\s*(\S)/g;

  it('is written as a literal and was among the requests proven above (this test runs last)', () => {
    // Prepare
    const sources = globSync('packages/*/src/**/*.ts').filter((path) => !path.includes('/sandbox/'));
    const written: string[] = [];
    const computed: string[] = [];
    for (const path of sources) {
      const text = readFileSync(path, 'utf8');
      for (const match of text.matchAll(EXPRESSION)) {
        const literal = /^'([^']*)'/.exec(text.slice((match.index ?? 0) + match[0].length - 1));
        if (literal === null) computed.push(`${path}: ${match[0]}`);
        else written.push(`${match[1]}Expression: ${literal[1]}`);
      }
    }

    // Act
    const sent = new Set(
      differential.exchanges.flatMap((exchange) =>
        ['Condition', 'Update', 'KeyCondition', 'Filter', 'Projection'].flatMap((kind) => {
          const value = exchange.input[`${kind}Expression`];
          return typeof value === 'string' ? [`${kind}Expression: ${value}`] : [];
        }),
      ),
    );

    // Assess
    expect(computed).toEqual([]);
    expect(written.length).toBeGreaterThanOrEqual(12);
    expect(written.filter((expression) => !sent.has(expression))).toEqual([]);
  });
});
