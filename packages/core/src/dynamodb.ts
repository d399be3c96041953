import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A failed condition, with the item as it stood when the write asked for it (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`). */
export type ConditionalFailure = Error & { readonly Item?: Record<string, AttributeValue> };

/**
 * `true` when a conditional write was refused because its condition did not hold — the answer Cordon's
 * claims, leases, counters, cursors and approval decisions are built on, not a fault. The SDK's class, or
 * anything named like it (a mock, the sandbox).
 *
 * @example try { await client.send(put) } catch (error) { if (!isConditionalCheckFailure(error)) throw error }
 */
export function isConditionalCheckFailure(error: unknown): error is ConditionalFailure {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
