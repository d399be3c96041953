import { CordonError } from '@cordon/core/errors';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.ts';

type ErrorClass = new (message: string) => Error;
// Every export of errors.ts but the abstract base is an error class.
const { CordonCliError, ...concrete } = errors;
const CLASSES = Object.entries(concrete) as Array<[string, ErrorClass]>;

describe('errors of the cordon command', () => {
  it.each(CLASSES)('%s names itself and is a CordonCliError', (exported, ErrorClass) => {
    const error = new ErrorClass('--port takes a port number');

    expect(error.name).toBe(exported);
    expect(error).toBeInstanceOf(CordonCliError);
    expect(error).toBeInstanceOf(CordonError);
    expect(error.message).toBe('--port takes a port number');
  });
});
