import { describe, expect, it } from 'vitest';
import { CONTAINMENT_PART_IDS } from '../../src/playbooks/ids.ts';
import {
  allPlaybooks,
  allStates,
  LOCAL_BUILD_OPTIONS,
  STATE_NAMES,
  STEP_IDS,
  statesOfStep,
  stepOfState,
} from '../../src/playbooks/index.ts';

describe('stepOfState', () => {
  it('names the step of every Task state of every playbook, and of no other state', () => {
    for (const definition of Object.values(allPlaybooks(LOCAL_BUILD_OPTIONS))) {
      for (const { name, state } of allStates(definition)) {
        if (state.Type === 'Task') expect(stepOfState(name), name).toBeDefined();
        else expect(stepOfState(name), name).toBeUndefined();
      }
    }
  });

  it('maps readable names to step ids', () => {
    expect(stepOfState(STATE_NAMES.deregisterFromLoadBalancers)).toBe('deregister-from-load-balancers');
    expect(stepOfState(STATE_NAMES.askForApproval)).toBe('request-approval');
    expect(stepOfState('Report the failure: Snapshot its volumes')).toBe('notify');
    expect(stepOfState(STATE_NAMES.approvalRequired)).toBeUndefined();
  });

  it('has a state for every step id but the parts contain-instance runs inside its one step', () => {
    for (const step of STEP_IDS) {
      const part = (CONTAINMENT_PART_IDS as readonly string[]).includes(step);
      expect(statesOfStep(step), step).toEqual(part ? [] : expect.arrayContaining([expect.any(String)]));
    }
  });

  it('keeps state names unique across each whole state machine, branches included', () => {
    for (const definition of Object.values(allPlaybooks(LOCAL_BUILD_OPTIONS))) {
      const names = allStates(definition).map(({ name }) => name);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});
