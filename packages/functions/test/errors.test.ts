import { RETRYABLE_ERROR_NAMES, TERMINAL_ERROR_NAMES } from '@cordon/core/actions/errors';
import { CordonError } from '@cordon/core/errors';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.ts';

type ErrorClass = new (...args: unknown[]) => Error;
// Every export of errors.ts is an error class; the cast lets one call site build each with sample arguments.
const CLASSES = Object.entries(errors) as Array<[string, ErrorClass]>;

describe('errors of @cordon/functions', () => {
  it.each(CLASSES)('%s names itself and is a CordonFunctionsError', (exported, ErrorClass) => {
    const error = new ErrorClass('action', ['CORDON_STAGE']);

    expect(error.name).toBe(exported);
    expect(error).toBeInstanceOf(errors.CordonFunctionsError);
    expect(error).toBeInstanceOf(CordonError);
    expect(error.stack?.startsWith(`${exported}: `)).toBe(true);
  });

  it('uses none of the action error names the playbooks retry or catch', () => {
    const actionNames: readonly string[] = [...RETRYABLE_ERROR_NAMES, ...TERMINAL_ERROR_NAMES];

    expect(CLASSES.map(([name]) => name).filter((name) => actionNames.includes(name))).toEqual([]);
  });
});
