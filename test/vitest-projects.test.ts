import { globSync } from 'node:fs';
import { matchesGlob } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_FILES, type ProjectName } from '../vitest.config.ts';

const ROOT = new URL('..', import.meta.url);
const SKIPPED = /(^|\/)(node_modules|\.sst|\.git|\.artifacts|coverage)(\/|$)/;

function projectsOf(file: string): ProjectName[] {
  return (Object.keys(PROJECT_FILES) as ProjectName[]).filter((name) => {
    const { include, exclude } = PROJECT_FILES[name];
    return (
      include.some((pattern) => matchesGlob(file, pattern)) &&
      !exclude.some((pattern) => matchesGlob(file, pattern))
    );
  });
}

describe('the vitest projects (vitest.config.ts)', () => {
  it('give every test file in the repository exactly one project: none is left unrun, none runs twice', () => {
    const files = globSync('**/*.test.ts', { cwd: ROOT, exclude: (path) => SKIPPED.test(path) });

    const misplaced = files
      .map((file) => ({ file, projects: projectsOf(file) }))
      .filter(({ projects }) => projects.length !== 1);

    expect(files.length).toBeGreaterThan(100);
    expect(misplaced).toEqual([]);
  });

  it.each([
    ['packages/core/test/actions/isolate-instance.test.ts', 'unit'],
    ['packages/core/test/actions/isolate-instance.sandbox.test.ts', 'sandbox'],
    ['packages/local/test/sandbox/models/ec2.test.ts', 'sandbox'],
    ['packages/local/test/approval-page.browser.test.ts', 'browser'],
    ['test/scenarios/ec2-compromise.faults.test.ts', 'scenarios'],
    ['infra/test/iam.test.ts', 'infra'],
  ])('puts %s in %s', (file, project) => {
    expect(projectsOf(file)).toEqual([project]);
  });
});
