import { afterEach, describe, expect, it, vi } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import { executeAction, parseActionInput, runAction } from '../../src/actions/run-action.ts';
import { type ActionDefinition, type StepEnvelope, StepEnvelopeSchema } from '../../src/actions/types.ts';
import * as z from '../../src/zod.ts';

const TagInput = z.extend(StepEnvelopeSchema, {
  instanceId: z.string().check(z.regex(/^i-[0-9a-f]{8,17}$/, 'must be an instance id')),
});
type TagInput = z.output<typeof TagInput>;

/** A one-change action whose plan and apply the tests count. */
function tagAction() {
  const apply = vi.fn(async () => ({ tagged: true }));
  const plan = vi.fn(async (input: TagInput) => ({
    changes: [
      { resource: input.instanceId, attribute: 'tag:cordon:incident', before: null, after: TEST_INCIDENT },
    ],
    notes: [],
    output: { tagged: false },
    apply,
  }));
  const definition: ActionDefinition<TagInput & StepEnvelope, { tagged: boolean }> = {
    id: 'protect-evidence',
    summary: 'Tags the instance.',
    undo: 'Remove the tag.',
    dryRunBehaviour: 'Records the plan.',
    mutating: true,
    input: TagInput,
    permissions: [],
    retryableErrors: [],
    plan,
  };
  return { definition, plan, apply };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseActionInput (the one validation of a step input)', () => {
  it('returns the input as the schema reads it (defaults filled in)', () => {
    const { definition } = tagAction();
    const { dryRun: _dryRun, ...withoutDryRun } = envelope();

    expect(parseActionInput(definition, { ...withoutDryRun, instanceId: 'i-0abc1234' })).toEqual({
      ...withoutDryRun,
      dryRun: false,
      instanceId: 'i-0abc1234',
    });
  });

  it('names every problem by its path in one InvalidActionInputError, terminal, with the issues as cause', () => {
    const { definition } = tagAction();

    const error = (() => {
      try {
        parseActionInput(definition, { ...envelope(), account: '42', instanceId: 'bogus' });
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).toMatchObject({
      name: 'InvalidActionInputError',
      retryable: false,
      message:
        'protect-evidence: invalid input: account: must be a 12-digit AWS account id; instanceId: must be an instance id',
    });
    expect((error as Error).cause).toBeDefined();
  });
});

describe('runAction and executeAction', () => {
  it('runAction refuses a raw input that does not parse before planning or recording anything', async () => {
    const { definition, plan } = tagAction();
    const environment = actionEnvironment(realClients());

    await expect(
      runAction(definition, { ...envelope(), instanceId: 'bogus' }, environment),
    ).rejects.toMatchObject({
      name: 'InvalidActionInputError',
    });
    expect(plan).not.toHaveBeenCalled();
    expect(await environment.ledger.entries(TEST_INCIDENT)).toEqual([]);
  });

  it('runAction validates a raw input once, then plans, records and applies', async () => {
    const { definition, apply } = tagAction();
    const safeParse = vi.spyOn(definition.input, 'safeParse');
    const environment = actionEnvironment(realClients());

    const outcome = await runAction(definition, { ...envelope(), instanceId: 'i-0abc1234' }, environment);

    expect(outcome).toMatchObject({ status: 'done', output: { tagged: true } });
    expect(apply).toHaveBeenCalledTimes(1);
    expect(safeParse).toHaveBeenCalledTimes(1);
  });

  it('executeAction trusts an input parsed at the boundary: it does not validate it again', async () => {
    const { definition, plan } = tagAction();
    const input = parseActionInput(definition, { ...envelope(), instanceId: 'i-0abc1234' });
    const safeParse = vi.spyOn(definition.input, 'safeParse');

    const outcome = await executeAction(definition, input, actionEnvironment(realClients()));

    expect(outcome.status).toBe('done');
    expect(plan).toHaveBeenCalledWith(input, expect.objectContaining({ incidentId: TEST_INCIDENT }));
    expect(safeParse).not.toHaveBeenCalled();
  });
});
