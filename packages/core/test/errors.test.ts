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

/** Every error class the module exports, by its export name. */
const ERROR_CLASSES = Object.entries(errors).filter(
  (entry): entry is [string, new (...args: never[]) => CordonError] =>
    typeof entry[1] === 'function' && entry[1].prototype instanceof CordonError,
);

function instantiate(Class: new (...args: never[]) => CordonError): CordonError {
  // InvalidEventPatternError takes (path, reason); every other class (message, options).
  const construct = Class as unknown as new (first: string, second?: string) => CordonError;
  return Class === (InvalidEventPatternError as unknown)
    ? new construct('detail', 'empty')
    : new construct('x');
}

function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, ...extra });
}

describe('the errors of @cordon/core', () => {
  it('are all in one module, each naming itself with its class name (what Step Functions matches)', () => {
    // Assess: the abstract bases are left out; every concrete class is checked.
    const concrete = ERROR_CLASSES.filter(([name]) => name !== 'CordonError' && name !== 'ActionError');
    expect(concrete.length).toBeGreaterThanOrEqual(16);
    for (const [exportName, Class] of concrete) {
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
