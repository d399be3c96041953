import type { Incident } from '@cordon/core/intake/incident';
import { intake } from '@cordon/core/intake/intake';
import { createSandbox, type Sandbox } from './sandbox/index.ts';
import type { SandboxAccountOptions } from './sandbox/sandbox-account.ts';
import { type SeedOptions, type Substitution, sandboxAccountFor, sandboxForIncident } from './seed.ts';

/** A sandbox seeded from an event, and the event rewritten to name what the sandbox holds. */
export interface SeededEvent {
  readonly sandbox: Sandbox;
  /** The event with the placeholder ids the sandbox replaced (accounts, instances, keys…) replaced alike. */
  readonly event: unknown;
  /** What the sandbox was seeded from; `undefined` when the intake rejects the event (nothing to seed). */
  readonly incident: Incident | undefined;
  readonly substitutions: readonly Substitution[];
}

/**
 * Seeds a sandbox from an event — in the incident's own account and region, with its instance, keys and
 * users — and rewrites the event so that, delivered to a local deployment, it names those resources: the
 * deployment then takes the event from the start (rules, intake, triage) and finds what the finding names.
 * An event the intake rejects seeds nothing: an empty sandbox (default account and region) comes back with
 * the event unchanged, for the deployment to reject as triage would.
 *
 * @example
 * const { sandbox, event } = sandboxForEvent(JSON.parse(text));
 * await new LocalDeployment({ sandbox }).deliver(event);
 */
export function sandboxForEvent(
  event: unknown,
  options: SeedOptions = {},
  sandboxOptions: Omit<SandboxAccountOptions, 'accountId' | 'region'> = {},
): SeededEvent {
  // Intake refuses an account id that is not 12 digits (published samples carry `1234567891234`): the sandbox
  // replaces such a placeholder first, as it replaces every placeholder id, and lists it. The replay then
  // shows what Cordon does with the sample's finding in a real account; `cordon plan` shows the refusal.
  const placeholders = placeholderAccounts(event);
  const received = intake(rewriteEvent(event, placeholders));
  if (!received.accepted) {
    return { sandbox: createSandbox(sandboxOptions), event, incident: undefined, substitutions: [] };
  }
  const seeded = sandboxForIncident(received.incident, options, sandboxOptions);
  const rewrites: Substitution[] = [...placeholders, ...seeded.rewrites];
  if (received.incident.region !== seeded.sandbox.account.region) {
    rewrites.push({ kind: 'region', from: received.incident.region, to: seeded.sandbox.account.region });
  }
  return {
    sandbox: seeded.sandbox,
    event: rewriteEvent(event, rewrites),
    incident: seeded.incident,
    substitutions: [...placeholders, ...seeded.substitutions],
  };
}

/** The fields an event names an account in (envelope, GuardDuty finding in either casing, Config result). */
const ACCOUNT_FIELDS: ReadonlySet<string> = new Set(['account', 'accountId', 'AccountId', 'awsAccountId']);

/** The placeholder account ids of an event's account fields, each with the sandbox's account for it. */
function placeholderAccounts(event: unknown): Substitution[] {
  const found = new Map<string, Substitution>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (ACCOUNT_FIELDS.has(key) && typeof inner === 'string' && inner !== '' && !found.has(inner)) {
        const substitution = sandboxAccountFor(inner);
        if (substitution !== undefined) found.set(inner, substitution);
      } else visit(inner);
    }
  };
  visit(event);
  return [...found.values()];
}

/**
 * A copy of the event with each rewritten value replaced wherever a string equals it; accounts and regions are
 * replaced inside ARNs too (`:<account>:`), where findings repeat them. Keys are left alone.
 *
 * @example rewriteEvent({ detail: { accountId: '1234567891234' } }, [{ kind: 'account', from: '1234567891234', to: '052441398014' }])
 * // { detail: { accountId: '052441398014' } }
 */
export function rewriteEvent(event: unknown, rewrites: readonly Substitution[]): unknown {
  const exact = new Map<string, string>();
  // A value seen twice (a placeholder group id in two VPCs) keeps its first replacement.
  for (const rewrite of rewrites) if (!exact.has(rewrite.from)) exact.set(rewrite.from, rewrite.to);
  const inArns = rewrites.filter(
    (rewrite) => (rewrite.kind === 'account' || rewrite.kind === 'region') && rewrite.from !== '',
  );
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const replaced = exact.get(value);
      if (replaced !== undefined) return replaced;
      if (!value.startsWith('arn:')) return value;
      return inArns.reduce((text, rewrite) => text.split(`:${rewrite.from}:`).join(`:${rewrite.to}:`), value);
    }
    if (Array.isArray(value)) return value.map(visit);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, visit(inner)]));
    }
    return value;
  };
  return visit(event);
}
