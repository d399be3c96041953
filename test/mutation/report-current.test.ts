import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkMutation, readTarget } from '../../scripts/mutation/check.ts';
import { generate, serializeSummary } from '../../scripts/mutation/generate.ts';
import { at, PATHS, ROOT } from '../../scripts/mutation/paths.ts';
import { readReport } from '../../scripts/mutation/report.ts';
import { readAwaitingRun, readBelowThreshold, readEquivalents } from '../../scripts/mutation/summary.ts';
import { listTargets } from '../../scripts/mutation/targets.ts';

// Issue 18: CI does not run Stryker (far too slow for a CI run); it checks that the committed mutation report
// still vouches for the code: every target file has a report made from its current text, and scores at least
// the threshold. See docs/mutation.md.
describe('the committed mutation report', () => {
  const report = readReport(at(PATHS.report));
  const { summary, doc } = generate(report);

  it('covers every current target file, made from its current text, at or above the threshold', () => {
    const found = checkMutation({
      summary,
      belowThreshold: readBelowThreshold(at(PATHS.belowThreshold)),
      awaitingRun: readAwaitingRun(at(PATHS.awaitingRun)),
      targets: listTargets(ROOT),
      read: readTarget(ROOT),
      equivalentFiles: readEquivalents(at(PATHS.equivalents)).map((entry) => entry.file),
    });
    // CI (.ci/run sets CORDON_MUTATION_STRICT=1) holds every problem against the change. A developer's run
    // only warns about files that merely need a new Stryker run (changed, new, moved), so that work in progress
    // on core is not blocked by a run that takes minutes; a score under the threshold fails everywhere.
    const strict = process.env.CORDON_MUTATION_STRICT === '1';
    const needsRun = (problem: string) =>
      /changed after its mutation report|no mutation report|no longer a target file/.test(problem);
    const problems = strict ? found : found.filter((problem) => !needsRun(problem));
    const pending = found.filter((problem) => !problems.includes(problem));
    if (pending.length > 0) console.warn(`Mutation reports to refresh before CI:\n${pending.join('\n')}`);
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('is summarized in mutation/summary.json as the generator makes it (npm run docs:mutation)', () => {
    expect(readFileSync(at(PATHS.summary), 'utf8')).toBe(serializeSummary(summary));
  });

  it('is rendered in docs/mutation.md as the generator makes it (npm run docs:mutation)', () => {
    expect(existsSync(at(PATHS.doc))).toBe(true);
    expect(readFileSync(at(PATHS.doc), 'utf8')).toBe(doc);
  });
});
