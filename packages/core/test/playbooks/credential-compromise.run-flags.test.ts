import { describe, expect, it } from 'vitest';
import type { StepId } from '../../src/playbooks/index.ts';
import { CHANGE_STEPS, runPlaybook, stepsCalled } from './engine.ts';

const FLAG_CASES: readonly [
  { deactivateAccessKey: boolean; revokeSessions: boolean; disableConsoleAccess: boolean },
  readonly StepId[],
][] = [
  [
    { deactivateAccessKey: true, revokeSessions: true, disableConsoleAccess: true },
    ['deactivate-access-key', 'revoke-sessions', 'disable-console-access'],
  ],
  [
    { deactivateAccessKey: true, revokeSessions: true, disableConsoleAccess: false },
    ['deactivate-access-key', 'revoke-sessions'],
  ],
  [{ deactivateAccessKey: false, revokeSessions: true, disableConsoleAccess: false }, ['revoke-sessions']],
  [
    { deactivateAccessKey: false, revokeSessions: true, disableConsoleAccess: true },
    ['revoke-sessions', 'disable-console-access'],
  ],
  [
    { deactivateAccessKey: true, revokeSessions: false, disableConsoleAccess: false },
    ['deactivate-access-key'],
  ],
  [{ deactivateAccessKey: false, revokeSessions: false, disableConsoleAccess: false }, []],
];

describe('credential-compromise', () => {
  it.each(FLAG_CASES)('runs only the steps whose run flag is true (%o)', async (run, expected) => {
    // Act
    const outcome = await runPlaybook('credential-compromise', { approvalRequired: false, run });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(stepsCalled(outcome).filter((step) => CHANGE_STEPS.includes(step))).toEqual(expected);
    expect(stepsCalled(outcome).at(-1)).toBe('notify');
  });
});
