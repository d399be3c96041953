import { CordonError } from '@cordon/core/errors';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.ts';

type ErrorClass = new (message: string) => Error;
// Every export of errors.ts is an error class.
const CLASSES = Object.entries(errors) as Array<[string, ErrorClass]>;

describe('errors of the cordon command', () => {
  it.each(CLASSES)('%s names itself and is a CordonCliError', (exported, ErrorClass) => {
    const error = new ErrorClass('--port takes a port number');

    expect(error.name).toBe(exported);
    expect(error).toBeInstanceOf(errors.CordonCliError);
    expect(error).toBeInstanceOf(CordonError);
    expect(error.message).toBe('--port takes a port number');
  });
});
