import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Condition } from './dynamodb-expressions.ts';
import { typeOf, validationError } from './dynamodb-values.ts';

/** One key's part of a Query's key condition: the condition, and the value it compares with. */
export interface KeyCondition {
  readonly condition: Condition;
  readonly value: AttributeValue;
}

interface KeySchema {
  readonly partitionKey: { readonly name: string; readonly type: string };
  readonly sortKey?: { readonly name: string; readonly type: string } | undefined;
}

/** `a AND b AND c` as `[a, b, c]`; OR in a key condition is refused, as DynamoDB refuses it. */
function terms(condition: Condition): Condition[] {
  if (condition.kind === 'or') throw validationError('Invalid operator used in KeyConditionExpression: OR');
  return condition.kind === 'and' ? [...terms(condition.left), ...terms(condition.right)] : [condition];
}

/** The key attribute a term compares, and the value it compares it with (either way round). */
function keyTerm(term: Condition): { name: string; comparator: string; value: AttributeValue } {
  if (term.kind === 'exists') {
    throw validationError(
      `Invalid operator used in KeyConditionExpression: ${term.exists ? 'attribute_exists' : 'attribute_not_exists'}`,
    );
  }
  if (term.kind !== 'compare') throw validationError('Invalid operator used in KeyConditionExpression: OR');
  if (term.comparator === '<>') throw validationError('Invalid operator used in KeyConditionExpression: <>');
  const [path, value] = term.left.kind === 'path' ? [term.left, term.right] : [term.right, term.left];
  if (path.kind !== 'path' || value.kind !== 'value') {
    throw validationError('Invalid condition in KeyConditionExpression: No key attribute specified');
  }
  return { name: path.name, comparator: term.comparator, value: value.value };
}

/**
 * A key condition is `partitionKey = :v`, optionally `AND` one comparison (`=`, `<`, `<=`, `>`, `>=`) on the sort
 * key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html.
 * `BETWEEN` and `begins_with` are not modelled (refused by the parser).
 */
export function splitKeyCondition(
  table: KeySchema,
  condition: Condition,
): { partition: KeyCondition; sort: KeyCondition | undefined } {
  const parts = terms(condition);
  if (parts.length > 2) throw validationError('Conditions can be of length 1 or 2 only');
  const byName = new Map<string, KeyCondition & { comparator: string }>();
  for (const part of parts) {
    const { name, comparator, value } = keyTerm(part);
    if (byName.has(name))
      throw validationError('KeyConditionExpressions must only contain one condition per key');
    byName.set(name, { condition: part, comparator, value });
  }
  const partition = byName.get(table.partitionKey.name);
  const sortName = table.sortKey?.name;
  const sort = sortName === undefined ? undefined : byName.get(sortName);
  if (partition === undefined || (parts.length === 2 && sort === undefined)) {
    const missing = partition === undefined ? table.partitionKey.name : sortName;
    throw validationError(
      missing === undefined
        ? 'Query key condition not supported'
        : `Query condition missed key schema element: ${missing}`,
    );
  }
  for (const [part, definition] of [
    [partition, table.partitionKey],
    [sort, table.sortKey],
  ] as const) {
    if (part !== undefined && definition !== undefined && typeOf(part.value) !== definition.type) {
      throw validationError(
        'One or more parameter values were invalid: Condition parameter type does not match schema type',
      );
    }
  }
  if (partition.comparator !== '=') throw validationError('Query key condition not supported');
  return { partition, sort };
}
