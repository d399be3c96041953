/**
 * How operators read incidents back (`cordon incidents`, `cordon evidence`): the access paths of the ledger and
 * approvals tables, and the reads over them. No Scan anywhere: a window of incidents is one Query per month of a
 * sparse global secondary index of the ledger that holds triage's decisions only; an incident is one Query of its
 * partition; its approvals one Query of an index of the approvals table by incident.
 *
 * Global secondary indexes are read eventually consistently (DynamoDB offers no strongly consistent reads on
 * them: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html ("Global secondary indexes support eventually consistent reads only")), so a decision
 * written a moment ago may be missing from a listing for a moment; an incident's own partition is read
 * consistently.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type ApprovalRecord, ApprovalRecordSchema } from '../approval/records.ts';
import { isConditionalCheckFailure } from '../dynamodb.ts';
import { PLAYBOOK_IDS, type PlaybookId } from '../playbooks/ids.ts';
// The sort key of an incident's claim (dynamodb-claims.ts): not an entry.
import { CLAIM_KEY } from './dynamodb-claims.ts';
import { APPROVALS_INDEX, DECISIONS_INDEX, monthsBetween } from './indexes.ts';
import type { LedgerEntry } from './ledger.ts';

export { APPROVALS_INDEX, DECISIONS_INDEX, decisionMonth, monthsBetween } from './indexes.ts';

/** The partition of the settings recorded by version (`settings#<version>`), under this sort key. */
const SETTINGS_RECORD_KEY = '~settings';

type Client = Pick<DynamoDBClient, 'send'>;

async function queryAll(
  client: Client,
  input: QueryCommand['input'],
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: QueryCommand['input']['ExclusiveStartKey'];
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

function entryOf(item: Record<string, AttributeValue>): LedgerEntry {
  const {
    sk: _sk,
    expiresAt: _expiresAt,
    [DECISIONS_INDEX.partitionKey]: _month,
    ...entry
  } = unmarshall(item);
  return entry as LedgerEntry;
}

export interface DecisionWindow {
  readonly tableName: string;
  /** Inclusive. */
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
}

/**
 * Triage's decisions recorded in `[from, to)`, oldest first: one Query of the decisions index per month the
 * window spans (`decisionMonth = :month AND sk >= :from`; the few entries of the last month after `to` are
 * dropped here, which keeps one key condition for every month).
 *
 * @example await listDecisions(dynamodb, { tableName: 'cordon-prod-ledger', from, to })
 */
export async function listDecisions(client: Client, window: DecisionWindow): Promise<LedgerEntry[]> {
  const from = window.from.toISOString();
  const to = window.to.toISOString();
  const decisions: LedgerEntry[] = [];
  for (const month of monthsBetween(window.from, window.to)) {
    const items = await queryAll(client, {
      TableName: window.tableName,
      IndexName: DECISIONS_INDEX.name,
      KeyConditionExpression: 'decisionMonth = :month AND sk >= :from',
      ExpressionAttributeValues: { ':month': { S: month }, ':from': { S: from } },
    });
    for (const item of items) {
      const entry = entryOf(item);
      if (entry.at >= from && entry.at < to) decisions.push(entry);
    }
  }
  return decisions;
}

/** An incident's partition as read back: its entries, oldest first, and its claim item (if any), raw. */
export interface IncidentItems {
  readonly entries: LedgerEntry[];
  /** The claim (`~execution`) as stored; its shape belongs to the claim store (claims change with releases). */
  readonly claim?: Record<string, unknown>;
}

/**
 * An incident's ledger partition, read consistently: every entry (oldest first) and its claim.
 *
 * @example const { entries } = await readIncident(dynamodb, 'cordon-prod-ledger', incidentId)
 */
export async function readIncident(
  client: Client,
  tableName: string,
  incidentId: string,
): Promise<IncidentItems> {
  const items = await queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: 'incidentId = :id',
    ExpressionAttributeValues: { ':id': { S: incidentId } },
    ConsistentRead: true,
  });
  const entries: LedgerEntry[] = [];
  let claim: Record<string, unknown> | undefined;
  for (const item of items) {
    if (item.sk?.S === CLAIM_KEY) claim = unmarshall(item);
    else entries.push(entryOf(item));
  }
  return { entries, ...(claim === undefined ? {} : { claim }) };
}

/** An approval record as read back, or the reason it could not be read (never dropped silently). */
export type ReadApproval =
  | { readonly ok: true; readonly record: Omit<ApprovalRecord, 'taskToken'> }
  | { readonly ok: false; readonly approvalId: string; readonly problem: string };

/**
 * The approvals asked for an incident, oldest first, from the approvals table's index by incident. The task
 * token is dropped: it is a credential for the execution, and nobody reading an incident needs it.
 *
 * @example const approvals = await listApprovals(dynamodb, 'cordon-prod-approvals', incidentId)
 */
export async function listApprovals(
  client: Client,
  tableName: string,
  incidentId: string,
): Promise<ReadApproval[]> {
  const items = await queryAll(client, {
    TableName: tableName,
    IndexName: APPROVALS_INDEX.name,
    KeyConditionExpression: 'incidentId = :id',
    ExpressionAttributeValues: { ':id': { S: incidentId } },
  });
  return items.map((item): ReadApproval => {
    const { expiresAtEpoch: _ttl, ...fields } = unmarshall(item);
    const parsed = ApprovalRecordSchema.safeParse(fields);
    if (!parsed.success) {
      return {
        ok: false,
        approvalId: typeof fields.approvalId === 'string' ? fields.approvalId : '(no id)',
        problem: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      };
    }
    const { taskToken: _token, ...record } = parsed.data;
    return { ok: true, record };
  });
}

/** An execution triage started for an incident, as its decision records it. */
export interface StartedExecution {
  readonly playbook: PlaybookId;
  readonly executionName: string;
  /** When triage recorded the start. */
  readonly at: string;
}

const STARTED_NOTE = /^started ([a-z0-9-]+) as execution ([A-Za-z0-9_-]{1,80})$/;

/**
 * The executions triage started for an incident, from its decisions' notes (`started <playbook> as execution
 * <name>`, written by triage with every decision that starts one), oldest first, each once.
 *
 * @example startedExecutions(entries) // [{ playbook: 'ec2-compromise', executionName: 'guardduty-…', at: '…' }]
 */
export function startedExecutions(entries: readonly LedgerEntry[]): StartedExecution[] {
  const started: StartedExecution[] = [];
  for (const entry of entries) {
    if (entry.step !== 'triage') continue;
    for (const note of entry.notes) {
      const match = STARTED_NOTE.exec(note);
      const playbook = match?.[1];
      const executionName = match?.[2];
      if (playbook === undefined || executionName === undefined) continue;
      if (!(PLAYBOOK_IDS as readonly string[]).includes(playbook)) continue;
      if (started.some((known) => known.executionName === executionName && known.playbook === playbook))
        continue;
      started.push({ playbook: playbook as PlaybookId, executionName, at: entry.at });
    }
  }
  return started;
}

/** Settings in force under a version, as `cordon settings push` records them. */
export interface SettingsRecord {
  readonly version: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly recordedAt: string;
  /** The ARN of who pushed them (STS GetCallerIdentity). */
  readonly recordedBy: string;
}

/**
 * Records the settings of a version in the ledger table (partition `settings#<version>`), once: a version is
 * the hash of its settings, so a second record of it would hold the same values. Never expires, so that an
 * auditor reading an old incident finds the values its version stood for.
 *
 * @returns `recorded`, or `known` when the version was recorded already.
 * @example await recordSettings(dynamodb, 'cordon-prod-ledger', { version, settings, recordedAt, recordedBy })
 */
export async function recordSettings(
  client: Client,
  tableName: string,
  record: SettingsRecord,
): Promise<'recorded' | 'known'> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: marshall(
          { incidentId: `settings#${record.version}`, sk: SETTINGS_RECORD_KEY, ...record },
          { removeUndefinedValues: true },
        ),
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
    return 'recorded';
  } catch (error) {
    if (isConditionalCheckFailure(error)) return 'known';
    throw error;
  }
}

/**
 * The settings recorded for a version, if `cordon settings push` recorded them.
 *
 * @example await readSettingsRecord(dynamodb, 'cordon-prod-ledger', '3f1c0a9b27de')
 */
export async function readSettingsRecord(
  client: Client,
  tableName: string,
  version: string,
): Promise<SettingsRecord | undefined> {
  const items = await queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: 'incidentId = :id',
    ExpressionAttributeValues: { ':id': { S: `settings#${version}` } },
    ConsistentRead: true,
  });
  const item = items.find((candidate) => candidate.sk?.S === SETTINGS_RECORD_KEY);
  if (item === undefined) return undefined;
  const { incidentId: _id, sk: _sk, ...record } = unmarshall(item);
  return record as SettingsRecord;
}
