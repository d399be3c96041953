import { APPROVAL_REJECTED_ERROR } from '@cordon/core/approval/decide';
import { CordonError } from '@cordon/core/errors';
import { buildPlaybook, LOCAL_BUILD_OPTIONS } from '@cordon/core/playbooks/build';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.ts';

type ErrorClass = new (...args: unknown[]) => Error;
// Every export of errors.ts is an error class; the cast lets one call site build each.
const CLASSES = Object.entries(errors) as Array<[string, ErrorClass]>;
/** Names that are a contract with the playbooks' ASL rather than the class name. */
const CONTRACT_NAMES: Readonly<Record<string, string>> = { ApprovalRejectedError: APPROVAL_REJECTED_ERROR };

describe('errors of @cordon/local (outside the sandbox)', () => {
  it.each(CLASSES)('%s names itself and is a CordonLocalError', (exported, ErrorClass) => {
    const error = new ErrorClass(1024);

    expect(error.name).toBe(CONTRACT_NAMES[exported] ?? exported);
    expect(error).toBeInstanceOf(errors.CordonLocalError);
    expect(error).toBeInstanceOf(CordonError);
  });

  it("names a rejected approval as the playbooks' Catch expects it", () => {
    const asl = JSON.stringify(buildPlaybook('ec2-compromise', LOCAL_BUILD_OPTIONS));

    expect(new errors.ApprovalRejectedError('rejected').name).toBe('ApprovalRejected');
    expect(asl).toContain('"ErrorEquals":["ApprovalRejected"]');
  });
});
