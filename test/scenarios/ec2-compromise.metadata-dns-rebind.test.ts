import { describe, expect, it } from 'vitest';
import { automaticApprovals } from '../../packages/local/src/engine.ts';
import { dnsRebindEvent } from '../support/intake-cases.ts';
import { runScenario } from '../support/scenario.ts';

// Settings that would contain any compromised instance on their own: the finding type still asks first.
const AUTOMATIC = { includeSampleFindings: true, severity: { autoRemediateAt: 1, approvalAt: 1 } };

// Issue 12: UnauthorizedAccess:EC2/MetadataDNSRebind (the instance "may be a target") is never isolated
// automatically.
describe('ec2-compromise: UnauthorizedAccess:EC2/MetadataDNSRebind at severity 8', () => {
  it('waits for a person, and a rejection leaves the instance exactly as it was', async () => {
    const { sandbox, execution, result, incident } = await runScenario(dnsRebindEvent(), {
      settings: AUTOMATIC,
      approvals: automaticApprovals('reject'),
    });
    expect(result).toMatchObject({
      outcome: 'started',
      decision: { playbook: 'ec2-compromise', approval: 'required' },
    });
    expect(execution?.steps[0]?.id).toBe('request-approval');
    const instance = incident.resources.find((resource) => resource.kind === 'ec2-instance');
    expect(instance).toBeDefined();
    // No EC2 change by any of Cordon's roles: not isolated, not tagged, nothing.
    expect(
      sandbox.account
        .mutatingCalls()
        .filter((call) => call.principal !== undefined && call.service === 'EC2'),
    ).toEqual([]);
  });

  it('contains the instance once a person approves', async () => {
    const { execution } = await runScenario(dnsRebindEvent(), { settings: AUTOMATIC });
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.steps.map((step) => step.id)).toEqual(
      expect.arrayContaining(['request-approval', 'contain-instance']),
    );
  });
});
