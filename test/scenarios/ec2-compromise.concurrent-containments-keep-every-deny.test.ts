import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outcomes, playScenario } from '../support/scenario-command.ts';

const SHIPPED = resolve(import.meta.dirname, '..', '..', 'packages', 'cli', 'scenarios');

describe('concurrent containments keep every deny statement', () => {
  it("contains two instances of a fleet at once, and the shared role's cordon-deny denies the sessions of both", async () => {
    const { exit, report } = await playScenario(`${SHIPPED}/fleet-contained-at-once.json`);

    expect(exit).toBe(0);
    expect(outcomes(report)).toEqual(['deliver:started+started']);
    expect(report.executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(report.changes).toContainEqual({
      resource: 'web-fleet-role',
      attribute: 'cordon-deny instances',
      before: '-',
      after: 'i-0a1b2c3d4e5f60001, i-0a1b2c3d4e5f60002',
    });
    // Each quarantine took the role's lease before reading and writing the policy, and gave it back.
    const leaseCalls = report.calls.filter((call) =>
      JSON.stringify(call.input).includes('lease#deny-policy#883606788610#role#web-fleet-role'),
    );
    const taken = leaseCalls.filter((call) => call.command === 'PutItem' && call.outcome === 'ok');
    const given = leaseCalls.filter((call) => call.command === 'DeleteItem' && call.outcome === 'ok');
    expect(taken).toHaveLength(2);
    expect(given).toHaveLength(2);
    expect(
      leaseCalls.every((call) => call.principal?.endsWith('cordon-local-quarantine-instance-profile')),
    ).toBe(true);
    expect(
      report.calls.filter((call) => call.command === 'PutRolePolicy' && call.outcome === 'ok'),
    ).toHaveLength(2);
  });
});
