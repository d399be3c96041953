import { describe, expect, it } from 'vitest';
import { outcomes, playScenario, SCENARIO_FILES } from '../support/scenario-command.ts';

describe("own principals are Cordon's roles", () => {
  it("ignores Cordon's own roles by ARN and handles look-alikes (cordon-svc), saying so", async () => {
    const { exit, report } = await playScenario(
      `${SCENARIO_FILES}/credential-compromise.own-principals-are-cordons-roles.json`,
    );

    expect(exit).toBe(0);
    expect(outcomes(report)).toEqual([
      // An IAM user cordon-svc: a backdoor user named like Cordon is contained like any other.
      'deliver:started',
      // A role cordon-svc: not one of Cordon's roles either; a role's sessions wait for approval.
      'deliver:started',
      // Triage's own role in the home account, and the member role contain-instance assumes: Cordon's own.
      'deliver:ignored',
      'deliver:ignored',
    ]);
    const [user, role, triage, member] = report.steps;
    expect(user?.decision).toMatchObject({ action: 'remediate', playbook: 'credential-compromise' });
    expect(user?.decision?.reason).toContain(
      "arn:aws:iam::883606788610:user/cordon-svc is named like Cordon's own roles but is not one of them",
    );
    expect(role?.decision).toMatchObject({ action: 'remediate', approval: 'required' });
    expect(role?.decision?.reason).toContain("role/cordon-svc is named like Cordon's own roles");
    expect(triage?.decision?.reason).toContain(
      "arn:aws:iam::883606788610:role/cordon-local-triage is Cordon's own (the role of Cordon's triage function)",
    );
    expect(member?.decision?.reason).toContain(
      "role/CordonResponder-contain-instance is Cordon's own (the role Cordon's contain-instance assumes in member accounts)",
    );
    // The look-alike user's key was deactivated; Cordon's own roles were left alone.
    expect(report.changes).toContainEqual(
      expect.objectContaining({ resource: 'AKIAEXAMPLECORDONSVC', attribute: 'status', after: 'Inactive' }),
    );
  });
});
