import { CordonError, RETRYABLE_ERROR_NAMES, TERMINAL_ERROR_NAMES } from '@cordon/core/errors';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.ts';

type ErrorClass = new (...args: unknown[]) => Error;
// Every export of errors.ts but the abstract base is an error class; the cast lets one call site build each.
const { CordonFunctionsError, ...concrete } = errors;
const CLASSES = Object.entries(concrete) as Array<[string, ErrorClass]>;

describe('errors of @cordon/functions', () => {
  it.each(CLASSES)('%s names itself and is a CordonFunctionsError', (exported, ErrorClass) => {
    const error = new ErrorClass('action', ['CORDON_STAGE']);

    expect(error.name).toBe(exported);
    expect(error).toBeInstanceOf(CordonFunctionsError);
    expect(error).toBeInstanceOf(CordonError);
    expect(error.stack?.startsWith(`${exported}: `)).toBe(true);
  });

  it('uses none of the action error names the playbooks retry or catch', () => {
    const actionNames: readonly string[] = [...RETRYABLE_ERROR_NAMES, ...TERMINAL_ERROR_NAMES];

    expect(CLASSES.map(([name]) => name).filter((name) => actionNames.includes(name))).toEqual([]);
  });
});
