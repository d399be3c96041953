import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.ts';
import {
  AccessDeniedError,
  ActionError,
  ActionFailedError,
  CordonError,
  classifyAwsError,
  EventualConsistencyError,
  InvalidEventPatternError,
  mostSerious,
  RETRYABLE_ERROR_NAMES,
  ResourceGoneError,
  TERMINAL_ERROR_NAMES,
  ThrottledError,
  TransientServiceError,
} from '../src/errors.ts';

type ErrorClass = new (first: string, second?: string) => CordonError;

/** Every concrete error class the module exports, by its export name (the abstract bases left out). */
const ERROR_CLASSES: Array<[string, ErrorClass]> = Object.entries(errors).flatMap(([name, value]) =>
  typeof value === 'function' &&
  value.prototype instanceof CordonError &&
  name !== 'ActionError' &&
  name !== 'CordonError'
    ? // The filter above makes it an error class; the abstract ones are left out by name.
      [[name, value as unknown as ErrorClass]]
    : [],
);

function instantiate(Class: ErrorClass): CordonError {
  // InvalidEventPatternError takes (path, reason); every other class (message, options).
  return Class === (InvalidEventPatternError as unknown) ? new Class('detail', 'empty') : new Class('x');
}

function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, ...extra });
}

describe('the errors of @cordon/core', () => {
  it('are all in one module, each naming itself with its class name (what Step Functions matches)', () => {
    expect(ERROR_CLASSES.length).toBeGreaterThanOrEqual(16);
    for (const [exportName, Class] of ERROR_CLASSES) {
      const error = instantiate(Class);
      expect(error.name, exportName).toBe(exportName);
      expect(error).toBeInstanceOf(CordonError);
      expect(String(error).startsWith(`${exportName}: `), exportName).toBe(true);
    }
  });

  it('keeps retryable and terminal action errors apart, matching the lists the playbooks read', () => {
    const actionErrors = ERROR_CLASSES.filter(([, Class]) => Class.prototype instanceof ActionError).map(
      ([, Class]) => instantiate(Class) as ActionError,
    );
    const retryable = actionErrors.filter((error) => error.retryable).map((error) => error.name);
    const terminal = actionErrors.filter((error) => !error.retryable).map((error) => error.name);
    expect(retryable.sort()).toEqual([...RETRYABLE_ERROR_NAMES].sort());
    expect(terminal.sort()).toEqual([...TERMINAL_ERROR_NAMES].sort());
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new ActionFailedError('failed', { cause }).cause).toBe(cause);
  });
});

describe('classifyAwsError', () => {
  it.each([
    ['RequestLimitExceeded', ThrottledError],
    ['Throttled', ThrottledError],
    ['ServiceUnavailable', TransientServiceError],
    ['UnauthorizedOperation', AccessDeniedError],
    ['InvalidInstanceID.NotFound', ResourceGoneError],
    ['InvalidParameterValue', ActionFailedError],
  ] as const)('maps %s to the error Step Functions should see', (code, Expected) => {
    // Act
    const error = classifyAwsError(awsError(code), 'ec2: Call');

    // Assess
    expect(error).toBeInstanceOf(Expected);
    expect(error.awsError).toBe(code);
    expect(error.message).toContain('ec2: Call failed');
  });

  it('treats any server fault as transient, and the action’s own eventual-consistency codes as retryable', () => {
    expect(classifyAwsError(awsError('Weird', { $fault: 'server' }), 'x')).toBeInstanceOf(
      TransientServiceError,
    );
    expect(
      classifyAwsError(awsError('InvalidGroup.NotFound'), 'x', {
        eventualConsistency: ['InvalidGroup.NotFound'],
      }),
    ).toBeInstanceOf(EventualConsistencyError);
  });

  it('passes an action error through unchanged', () => {
    const original = new ResourceGoneError('gone');
    expect(classifyAwsError(original, 'x')).toBe(original);
  });
});

describe('mostSerious', () => {
  it('reports a terminal error before a retryable one, the first otherwise, nothing for none', () => {
    const throttled = new ThrottledError('a');
    const denied = new AccessDeniedError('b');
    expect(mostSerious([throttled, denied])).toBe(denied);
    expect(mostSerious([throttled, new TransientServiceError('c')])).toBe(throttled);
    expect(mostSerious([])).toBeUndefined();
  });
});
