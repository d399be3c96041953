import { type ActionError, classifyAwsError, InvalidActionInputError } from '../errors.ts';
import type { LedgerEntry } from '../ledger/ledger.ts';
import type { ActionContext, ActionDefinition, ActionOutcome, StepEnvelope } from './types.ts';

/** The context an adapter provides; `runAction` fills in the rest from the step input. */
export type ActionEnvironment = Omit<ActionContext, 'step' | 'incidentId' | 'account' | 'region' | 'dryRun'>;

/**
 * The one validation of a step's input: the action's strict schema, or `InvalidActionInputError` (terminal;
 * the name Step Functions' `Catch` matches) naming every problem by its path. It runs where the input
 * enters — the Lambda handler's boundary, or `runAction` for a caller holding a raw input — and once: what
 * it returns is trusted by `executeAction`.
 *
 * @example
 * const input = parseActionInput(isolateInstance, event); // throws InvalidActionInputError on `{ instanceId: 'bogus' }`
 */
export function parseActionInput<I extends StepEnvelope, O>(
  definition: ActionDefinition<I, O>,
  rawInput: unknown,
): I {
  const parsed = definition.input.safeParse(rawInput);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`,
    );
    throw new InvalidActionInputError(`${definition.id}: invalid input: ${problems.join('; ')}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * Runs one action on a raw step input: `parseActionInput`, then `executeAction`.
 *
 * @example
 * const outcome = await runAction(isolateInstance, event, { settings, settingsVersion, clients, ledger, logger, now })
 */
export async function runAction<I extends StepEnvelope, O>(
  definition: ActionDefinition<I, O>,
  rawInput: unknown,
  environment: ActionEnvironment,
): Promise<ActionOutcome<O>> {
  return executeAction(definition, parseActionInput(definition, rawInput), environment);
}

/**
 * Runs one action the way every step must run (ARCHITECTURE.md, "Decisions"), on an input already
 * validated by `parseActionInput` (it is not checked again):
 * plan from live state → record → apply (unless already done or dry-run) → record.
 * Dry-run is the step input's flag or any settings mode but `enforce` (invalid settings fail closed to
 * `notify-only`, so nothing is changed). Every failure is recorded in the ledger with its error name and
 * what was done before it, then rethrown as an action error whose name Step Functions matches.
 *
 * @example
 * const outcome = await executeAction(isolateInstance, parseActionInput(isolateInstance, event), environment)
 */
export async function executeAction<I extends StepEnvelope, O>(
  definition: ActionDefinition<I, O>,
  input: I,
  environment: ActionEnvironment,
): Promise<ActionOutcome<O>> {
  const dryRun = input.dryRun || environment.settings.mode !== 'enforce';
  const context: ActionContext = {
    ...environment,
    step: definition.id,
    incidentId: input.incidentId,
    account: input.account,
    region: input.region,
    dryRun,
  };
  const entry = (
    fields: Pick<LedgerEntry, 'outcome' | 'changes' | 'notes'> & Partial<LedgerEntry>,
  ): LedgerEntry => ({
    incidentId: input.incidentId,
    step: definition.id,
    at: context.now().toISOString(),
    dryRun,
    settingsVersion: environment.settingsVersion,
    input,
    ...fields,
  });

  let plan: Awaited<ReturnType<typeof definition.plan>>;
  try {
    plan = await definition.plan(input, context);
  } catch (error) {
    throw await recordFailure(
      context,
      entry,
      classifyAwsError(error, `${definition.id}: reading live state`),
    );
  }

  const finish = async (status: ActionOutcome['status'], output: O): Promise<ActionOutcome<O>> => {
    await context.ledger.append(entry({ outcome: status, changes: plan.changes, notes: plan.notes }));
    context.logger.info(`${definition.id}: ${status}`, { changes: plan.changes.length });
    return { step: definition.id, status, dryRun, changes: plan.changes, output, notes: plan.notes };
  };

  if (plan.changes.length === 0) return finish('already-done', plan.output);
  if (dryRun && definition.mutating) return finish('dry-run', plan.output);

  if (plan.restore !== undefined) {
    // Written before the change: a release can undo a step that failed half-way.
    await context.ledger.append(
      entry({ outcome: 'planned', changes: plan.changes, restore: plan.restore, notes: plan.notes }),
    );
  }
  let output: O;
  try {
    output = await plan.apply();
  } catch (error) {
    throw await recordFailure(context, entry, classifyAwsError(error, definition.id));
  }
  return finish('done', output);
}

async function recordFailure(
  context: ActionContext,
  entry: (fields: Pick<LedgerEntry, 'outcome' | 'changes' | 'notes'> & Partial<LedgerEntry>) => LedgerEntry,
  error: ActionError,
): Promise<ActionError> {
  const notes = error.partial
    ? [
        `done before the failure: ${error.partial.done.join(', ') || 'nothing'}`,
        `not done: ${error.partial.notDone.join(', ')}`,
      ]
    : [];
  try {
    await context.ledger.append(
      entry({
        outcome: 'failed',
        changes: [],
        notes,
        error: { name: error.name, message: error.message, awsError: error.awsError },
      }),
    );
  } catch (ledgerError) {
    // The step's own error is what Step Functions must see; the lost ledger write is logged loudly.
    context.logger.error(`${context.step}: could not record the failure in the ledger`, {
      ledgerError: String(ledgerError),
    });
  }
  context.logger.error(`${context.step}: ${error.name}`, {
    message: error.message,
    retryable: error.retryable,
  });
  return error;
}
