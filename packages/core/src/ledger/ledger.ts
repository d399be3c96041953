import type { StepId } from '../playbooks/ids.ts';

/** The outcome of a step as the ledger records it: a status, or the name of the error that ended it. */
export type LedgerOutcome =
  | 'planned'
  | 'done'
  | 'already-done'
  | 'dry-run'
  | 'decided'
  | 'duplicate'
  | 'failed';

/** One thing a step changed (or would have changed, in dry-run). */
export interface Change {
  /** The resource id: `i-…`, `eni-…`, an access key id, a role name. */
  readonly resource: string;
  /** What changed: `groups`, `status`, `disableApiTermination`, `inlinePolicy:cordon-deny`, … */
  readonly attribute: string;
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * One entry of the incident ledger: every decision and action, with the settings version it was made under.
 * `restore` holds what a later release needs (original groups, profile, ASG, registrations).
 */
export interface LedgerEntry {
  readonly incidentId: string;
  /** A step id, or `triage` for the decision. */
  readonly step: StepId | 'triage';
  readonly at: string;
  readonly outcome: LedgerOutcome;
  readonly dryRun: boolean;
  readonly settingsVersion: string;
  readonly input: unknown;
  readonly changes: readonly Change[];
  readonly restore?: unknown;
  readonly error?: { readonly name: string; readonly message: string; readonly awsError?: string };
  readonly notes: readonly string[];
}

/** The answer to a lease request: granted, or who holds the resource. */
export type LeaseResult = { readonly acquired: true } | { readonly acquired: false; readonly holder: string };

/** Where entries are kept: DynamoDB in AWS and in the sandbox, memory in unit tests. */
export interface Ledger {
  append(entry: LedgerEntry): Promise<void>;
  /** Every entry of an incident, oldest first. */
  entries(incidentId: string): Promise<LedgerEntry[]>;
  /**
   * Takes a lease on a resource for one incident until `until` (granted again to the same holder, and to
   * anyone once it has run out): two incidents about one instance must not contain it at the same time,
   * or one could undo the other's isolation.
   */
  acquireLease?(resource: string, holder: string, until: Date, now: Date): Promise<LeaseResult>;
  /** Gives a lease back, if this holder still has it. */
  releaseLease?(resource: string, holder: string): Promise<void>;
  /**
   * Closes the incident's claim (a release began): a later occurrence of the finding is contained again
   * (claims.ts). `not-open` when no playbook holds the incident or it is closed already.
   */
  closeClaim?(incidentId: string, at: Date, by: string): Promise<'closed' | 'not-open'>;
}

/**
 * A ledger in memory: for unit tests of the actions (test/support/actions.ts) and the triage throughput benchmark
 * (bench/burst.ts). Local runs keep the ledger in the sandbox's DynamoDB table (`DynamoDbLedger`), as deployed.
 */
export class MemoryLedger implements Ledger {
  private readonly store: LedgerEntry[] = [];

  public async append(entry: LedgerEntry): Promise<void> {
    this.store.push(structuredClone(entry));
  }

  public async entries(incidentId: string): Promise<LedgerEntry[]> {
    return this.store
      .filter((entry) => entry.incidentId === incidentId)
      .map((entry) => structuredClone(entry));
  }

  public all(): LedgerEntry[] {
    return this.store.map((entry) => structuredClone(entry));
  }

  private readonly leases = new Map<string, { holder: string; until: number }>();

  public async acquireLease(resource: string, holder: string, until: Date, now: Date): Promise<LeaseResult> {
    const lease = this.leases.get(resource);
    if (lease !== undefined && lease.holder !== holder && lease.until >= now.getTime()) {
      return { acquired: false, holder: lease.holder };
    }
    this.leases.set(resource, { holder, until: until.getTime() });
    return { acquired: true };
  }

  public async releaseLease(resource: string, holder: string): Promise<void> {
    if (this.leases.get(resource)?.holder === holder) this.leases.delete(resource);
  }
}
