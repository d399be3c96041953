import { describe, expect, it } from 'vitest';
import {
  allStates,
  buildPlaybook,
  LOCAL_BUILD_OPTIONS,
  PLAYBOOK_IDS,
  STATE_NAMES,
  toMermaid,
} from '../../src/playbooks/index.ts';

describe('toMermaid', () => {
  it.each(PLAYBOOK_IDS)('draws every state of %s', (id) => {
    // Prepare
    const definition = buildPlaybook(id, LOCAL_BUILD_OPTIONS);

    // Act
    const diagram = toMermaid(definition);

    // Assess
    expect(diagram.startsWith('flowchart TD\n')).toBe(true);
    for (const { name } of allStates(definition)) expect(diagram, name).toContain(`"${name}"`);
  });

  it.each(PLAYBOOK_IDS)('draws one dashed edge per Catch in %s', (id) => {
    // Prepare
    const definition = buildPlaybook(id, LOCAL_BUILD_OPTIONS);
    const catchers = allStates(definition).reduce(
      (count, { state }) => count + ('Catch' in state && state.Catch !== undefined ? state.Catch.length : 0),
      0,
    );

    // Act
    const diagram = toMermaid(definition);

    // Assess
    expect(diagram.split('\n').filter((line) => line.includes(' -.->')).length).toBe(catchers);
  });

  it('draws each Parallel state as a subgraph with one subgraph per branch', () => {
    // Act
    const diagram = toMermaid(buildPlaybook('ec2-compromise', LOCAL_BUILD_OPTIONS));

    // Assess
    expect(diagram).toMatch(new RegExp(`subgraph s\\d+ \\["${STATE_NAMES.afterContainment}"\\]`));
    expect(diagram.match(/subgraph s\d+_b\d+ \["branch \d"\]/g)).toHaveLength(3);
  });

  it('labels Choice edges with their rule and the default with "otherwise"', () => {
    // Act
    const diagram = toMermaid(buildPlaybook('credential-compromise', LOCAL_BUILD_OPTIONS));

    // Assess
    expect(diagram).toContain('-->|"approval.required is true"|');
    expect(diagram).toContain('-->|"run.revokeSessions is true"|');
    expect(diagram).toContain('-->|"otherwise"|');
    expect(diagram).toContain('-.->|"ApprovalRejected"|');
  });
});
