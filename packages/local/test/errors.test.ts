import { APPROVAL_REJECTED_ERROR } from '@cordon/core/approval/decide';
import { CordonError } from '@cordon/core/errors';
import { buildPlaybook, LOCAL_BUILD_OPTIONS } from '@cordon/core/playbooks/build';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.ts';

type ErrorClass = new (message: string) => Error;
// Every export of errors.ts but the abstract base is an error class.
const { CordonLocalError, ...concrete } = errors;
const CLASSES = Object.entries(concrete) as Array<[string, ErrorClass]>;
/** Names that are a contract with the playbooks' ASL rather than the class name. */
const CONTRACT_NAMES: Readonly<Record<string, string>> = { ApprovalRejectedError: APPROVAL_REJECTED_ERROR };

describe('errors of @cordon/local (outside the sandbox)', () => {
  it.each(CLASSES)('%s names itself and is a CordonLocalError', (exported, ErrorClass) => {
    const error = new ErrorClass('settings must be an object');

    expect(error.name).toBe(CONTRACT_NAMES[exported] ?? exported);
    expect(error).toBeInstanceOf(CordonLocalError);
    expect(error).toBeInstanceOf(CordonError);
  });

  it("names a rejected approval as the playbooks' Catch expects it", () => {
    const asl = JSON.stringify(buildPlaybook('ec2-compromise', LOCAL_BUILD_OPTIONS));

    expect(new errors.ApprovalRejectedError('rejected').name).toBe('ApprovalRejected');
    expect(asl).toContain('"ErrorEquals":["ApprovalRejected"]');
  });
});
