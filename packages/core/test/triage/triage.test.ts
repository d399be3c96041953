import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { loadEvent, loadEventWithAccount, loadFixture } from '../../../../test/support/events.ts';
import { createSandbox, type Sandbox } from '../../../local/src/sandbox/index.ts';
import { SANDBOX_RESOURCES, seedCordonResources } from '../../../local/src/seed.ts';
import { DynamoDbLedger } from '../../src/ledger/dynamodb-ledger.ts';
import { failClosedSettings, parseSettings } from '../../src/policy/settings.ts';
import { DynamoDbBlastRadius } from '../../src/triage/blast-radius.ts';
import type { ExecutionInput } from '../../src/triage/execution-input.ts';
import { type StartExecution, type TriagePorts, triage, triageBatch } from '../../src/triage/triage.ts';

type Json = Record<string, unknown>;

/** A fake Step Functions: execution names are unique, as in AWS. */
function fakeStepFunctions() {
  const executions = new Map<string, { playbook: string; input: ExecutionInput }>();
  const startExecution: StartExecution = async ({ name, playbook, input }) => {
    if (executions.has(name)) return 'duplicate';
    executions.set(name, { playbook, input });
    return 'started';
  };
  return { executions, startExecution };
}

/** The ledger table of a sandbox account, as the deployed triage keeps its ledger and blast radius. */
function ledgerTable(sandbox: Sandbox = createSandbox()) {
  seedCordonResources(sandbox);
  const client = sandbox.account.attach(new DynamoDBClient({ region: 'us-east-1' }));
  const tableName = SANDBOX_RESOURCES.ledgerTable;
  return {
    sandbox,
    ledger: new DynamoDbLedger({ client, tableName, retentionDays: 30 }),
    blastRadius: new DynamoDbBlastRadius(client, tableName),
    /** Every item of the table (entries, claims, blast-radius counts). */
    items: () => sandbox.dynamodb.items(tableName),
  };
}

function ports(overrides: Partial<TriagePorts> = {}, settings: Json = {}, table = ledgerTable()) {
  const stepFunctions = fakeStepFunctions();
  const all: TriagePorts = {
    settings: parseSettings(settings),
    ledger: table.ledger,
    blastRadius: table.blastRadius,
    startExecution: stepFunctions.startExecution,
    now: () => new Date('2026-11-28T10:15:00Z'),
    ...overrides,
  };
  return { ports: all, ledger: table.ledger, items: table.items, executions: stepFunctions.executions };
}

/** A live (non-sample) high-severity C&C finding on an instance, with a distinct finding id. */
function compromisedInstanceEvent(findingId: string, account = '883606788610', severity = 8): Json {
  const event = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');
  const detail = event.detail as Json;
  detail.id = findingId;
  detail.accountId = account;
  detail.severity = severity;
  (detail.service as Json).additionalInfo = {};
  (detail.resource as Json).instanceDetails = { instanceId: 'i-0abc1234def567890' };
  return event;
}

describe('triage', () => {
  it('starts the playbook with an execution named by the incident id', async () => {
    const { ports: p, executions, ledger } = ports();
    const result = await triage(compromisedInstanceEvent('f1'), p);
    expect(result).toMatchObject({
      outcome: 'started',
      executionName: 'guardduty-883606788610-us-east-1-f1',
    });
    const execution = executions.get('guardduty-883606788610-us-east-1-f1');
    expect(execution?.playbook).toBe('ec2-compromise');
    expect(execution?.input).toMatchObject({
      target: { instanceId: 'i-0abc1234def567890' },
      approval: { required: false, timeoutSeconds: 3600, timeoutDefault: 'approve' },
      decision: { playbook: 'ec2-compromise', dryRun: false },
    });
    expect((await ledger.entries('guardduty-883606788610-us-east-1-f1'))[0]).toMatchObject({
      step: 'triage',
      outcome: 'decided',
      settingsVersion: p.settings.version,
    });
  });

  it('starts one execution and changes nothing more for ten deliveries of one finding', async () => {
    const { ports: p, executions, ledger } = ports();
    const outcomes = [];
    for (let delivery = 0; delivery < 10; delivery += 1) {
      const event = compromisedInstanceEvent('f-same');
      event.id = `eventbridge-delivery-${delivery}`;
      ((event.detail as Json).service as Json).count = delivery + 1;
      outcomes.push((await triage(event, p)).outcome);
    }
    expect(executions.size).toBe(1);
    expect(outcomes).toEqual(['started', ...Array(9).fill('duplicate')]);
    const entries = await ledger.entries('guardduty-883606788610-us-east-1-f-same');
    expect(entries.map((entry) => entry.outcome)).toEqual(['decided', ...Array(9).fill('duplicate')]);
  });

  it('asks for approval past the blast radius, per account and hour', async () => {
    const { ports: p, executions } = ports({}, { blastRadius: { maxContainmentsPerAccountPerHour: 2 } });
    for (const id of ['a', 'b', 'c']) await triage(compromisedInstanceEvent(id), p);
    await triage(compromisedInstanceEvent('d', '111111111111'), p);
    const approvals = [...executions.values()].map((execution) => execution.input.approval.required);
    expect(approvals).toEqual([false, false, true, false]);
    const third = executions.get('guardduty-883606788610-us-east-1-c');
    expect(third?.input.decision.steps[0]).toBe('request-approval');
    expect(third?.input.decision.reason).toMatch(/Blast radius/);
    // Past the blast radius, silence must not contain: the approval's timeout default is reject.
    expect(third?.input.approval.timeoutDefault).toBe('reject');
    expect(executions.get('guardduty-883606788610-us-east-1-a')?.input.approval.timeoutDefault).toBe(
      'approve',
    );
  });

  it('rejects on timeout when approval is demanded of a high-severity role session (every session at stake)', async () => {
    const { ports: p, executions } = ports();
    const event = loadEvent('guardduty/eb-iam-toripcaller-custodian.json');
    const detail = event.detail as Json;
    detail.severity = 8;
    (detail.service as Json).additionalInfo = {};
    (detail.resource as Json).accessKeyDetails = {
      accessKeyId: 'ASIAEXAMPLE',
      userName: 'app-role',
      userType: 'AssumedRole',
    };
    await triage(event, p);
    const [execution] = [...executions.values()];
    expect(execution?.input.approval).toMatchObject({ required: true, timeoutDefault: 'reject' });
  });

  it('gives the blast-radius slot back when the execution was a duplicate', async () => {
    const { ports: p, executions } = ports({}, { blastRadius: { maxContainmentsPerAccountPerHour: 1 } });
    await triage(compromisedInstanceEvent('a'), p);
    await triage(compromisedInstanceEvent('a'), p);
    // Had the duplicate kept its slot, this one would wait for approval.
    const other = await triage(compromisedInstanceEvent('b', '111111111111'), p);
    expect(other.outcome).toBe('started');
    expect(executions.size).toBe(2);
  });

  it('rejects what is not an incident, starting nothing and recording nothing', async () => {
    const { ports: p, executions, items } = ports();
    const result = await triage(loadEvent('cloudwatch/lambda-action-composite-alarm-powertools.json'), p);
    expect(result).toMatchObject({ outcome: 'rejected', recognised: 'cloudwatch-alarm-lambda-action' });
    expect(executions.size).toBe(0);
    expect(items()).toEqual([]);
  });

  it('records an ignored incident and starts nothing', async () => {
    const { ports: p, executions, ledger } = ports();
    const result = await triage(loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json'), p);
    expect(result.outcome).toBe('ignored');
    expect(executions.size).toBe(0);
    const [entry] = result.outcome === 'ignored' ? await ledger.entries(result.incident.id) : [];
    expect(entry?.notes.join(' ')).toMatch(/sample/);
  });

  it('runs notifications as the notify-only and root-activity playbooks', async () => {
    const { ports: p, executions } = ports();
    await triage(loadEventWithAccount('guardduty/eb-pascalcase-root-credential-usage-placeholders.json'), p);
    await triage(
      loadEvent('guardduty/raw-iam-privesc-administrative-permissions-no-resource-panther.json'),
      p,
    );
    expect([...executions.values()].map((execution) => execution.playbook)).toEqual([
      'root-activity',
      'notify-only',
    ]);
  });

  it('fails closed to notifications when the settings could not be read', async () => {
    const { ports: p, executions } = ports({
      settings: failClosedSettings('settings unavailable: AccessDeniedException'),
    });
    const result = await triage(compromisedInstanceEvent('f1'), p);
    expect(result).toMatchObject({ outcome: 'started', decision: { action: 'notify' } });
    expect([...executions.values()][0]?.playbook).toBe('notify-only');
    expect(result.outcome !== 'rejected' && result.decision.reason).toMatch(/AccessDeniedException/);
  });

  it('passes the stale user of a Config rule and the steps of a credential playbook to the execution', async () => {
    const { ports: p, executions } = ports();
    await triage(loadFixture('config-access-keys-rotated-noncompliant.json'), p);
    const key = loadEvent('guardduty/eb-iam-toripcaller-custodian.json');
    ((key.detail as Json).service as Json).additionalInfo = {};
    (key.detail as Json).severity = 8;
    await triage(key, p);
    const [stale, credential] = [...executions.values()];
    expect(stale?.input.target).toEqual({
      userId: 'AIDAJQABLZS4A3QDU576Q',
      staleAfterDays: 90,
      staleBy: 'age',
    });
    expect(credential?.input.target).toEqual({
      accessKeyId: 'GeneratedFindingAccessKeyId',
      userName: 'GeneratedFindingUserName',
      principalType: 'user',
      name: 'GeneratedFindingUserName',
    });
    expect(credential?.input.run).toEqual({
      deactivateAccessKey: true,
      revokeSessions: true,
      disableConsoleAccess: false,
    });
  });

  it('judges keys by last use, not age, for iam-user-unused-credentials-check', async () => {
    const { ports: p, executions } = ports();
    const event = loadFixture<Json>('config-access-keys-rotated-noncompliant.json');
    (event.detail as Json).configRuleName = 'iam-user-unused-credentials-check';
    await triage(event, p);
    expect([...executions.values()][0]?.input.target).toMatchObject({ staleBy: 'last-use' });
  });

  it('starts no second playbook for a re-published finding decided differently the second time', async () => {
    const table = ledgerTable();
    const claims = table.ledger.claims;
    const notifying = ports({ claims }, { mode: 'notify-only' }, table);
    expect((await triage(compromisedInstanceEvent('f-twice'), notifying.ports)).outcome).toBe('started');
    // The same finding, re-published after the team switched to enforce: a different playbook, same incident.
    const enforcing = ports({ claims }, {}, table);
    const again = compromisedInstanceEvent('f-twice');
    ((again.detail as Json).service as Json).count = 2;
    expect((await triage(again, enforcing.ports)).outcome).toBe('duplicate');
    expect(enforcing.executions.size).toBe(0);
    expect((await claims.read('guardduty-883606788610-us-east-1-f-twice'))?.holder?.playbook).toBe(
      'notify-only',
    );
  });

  it('counts an incident claimed twice by the same playbook once against the blast radius (a retried or racing triage; DOMAIN.md items 3 and 31)', async () => {
    // A claim that answers `reclaimed` to every later delivery: the triage that claimed first never got to
    // record that its execution started (it races, or was retried).
    const seen = new Set<string>();
    const claims: TriagePorts['claims'] = {
      claim: async ({ incidentId }) => {
        const outcome = seen.has(incidentId) ? ('reclaimed' as const) : ('claimed' as const);
        seen.add(incidentId);
        return { outcome, execution: 1, executionName: incidentId, provisional: false, reason: 'test' };
      },
      started: async () => undefined,
    };
    // Step Functions answers success again for the same name and input while the execution runs.
    const startExecution: StartExecution = async () => 'started';
    const p = ports(
      { claims, startExecution },
      {
        blastRadius: { maxContainmentsPerAccountPerHour: 2 },
      },
    ).ports;

    await triage(compromisedInstanceEvent('f-raced'), p);
    await triage(compromisedInstanceEvent('f-raced'), p);
    const other = await triage(compromisedInstanceEvent('f-other'), p);
    const third = await triage(compromisedInstanceEvent('f-third'), p);

    // f-raced took one slot, f-other the second; f-third is past the limit.
    expect(other).toMatchObject({ outcome: 'started', decision: { approval: 'auto' } });
    expect(third).toMatchObject({ decision: { approval: 'required' } });
  });

  it('reads the instance for containment with the claim, and hands the reads to the playbook', async () => {
    const observeInstance = vi.fn(async ({ instanceId }: { instanceId: string }) => ({
      instanceId,
      observedAt: '2026-11-28T10:15:00.000Z',
      instance: { InstanceId: instanceId },
      disableApiTermination: false,
      shutdownBehavior: 'stop',
      autoScaling: null,
      isolationGroups: [],
    }));
    const { ports: p, executions } = ports({ observeInstance });

    await triage(compromisedInstanceEvent('f-observed'), p);

    expect(observeInstance).toHaveBeenCalledWith({
      account: '883606788610',
      region: 'us-east-1',
      instanceId: 'i-0abc1234def567890',
    });
    expect([...executions.values()][0]?.input.observation).toMatchObject({
      instanceId: 'i-0abc1234def567890',
    });
  });

  it('starts the playbook without reads when reading the instance fails, and says so', async () => {
    const warn = vi.fn();
    const observeInstance = async () => {
      throw Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    };
    const { ports: p, executions } = ports({ observeInstance, warn });

    const result = await triage(compromisedInstanceEvent('f-unread'), p);

    expect(result.outcome).toBe('started');
    expect([...executions.values()][0]?.input.observation).toBeNull();
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('Could not read the instance'),
      expect.anything(),
    );
  });

  it('hands no reads to a containment that waits for approval (they would be stale by the decision)', async () => {
    const observeInstance = vi.fn();
    const { ports: p, executions } = ports({ observeInstance }, {});

    await triage(compromisedInstanceEvent('f-medium', '883606788610', 5), p);

    expect(observeInstance).not.toHaveBeenCalled();
    expect([...executions.values()][0]?.input.observation).toBeNull();
  });

  it('triages each finding of a poller batch on its own', async () => {
    const { ports: p, executions } = ports();
    const raw = (compromisedInstanceEvent('from-poller').detail as Json) ?? {};
    const results = await triageBatch([raw, { not: 'a finding' }, raw], p);
    expect(results.map((result) => result.outcome)).toEqual(['started', 'rejected', 'duplicate']);
    expect(executions.size).toBe(1);
  });
});
