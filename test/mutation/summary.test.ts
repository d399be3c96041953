import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMutation } from '../../scripts/mutation/check.ts';
import { EquivalentMutantStaleError, MutationFileInvalidError } from '../../scripts/mutation/errors.ts';
import type { MutantResult, MutantStatus, MutationReport } from '../../scripts/mutation/report.ts';
import {
  mergeIntoCache,
  mergeReports,
  shortTestId,
  withoutSurvivors,
} from '../../scripts/mutation/report.ts';
import type { EquivalentMutant, MutationSummary } from '../../scripts/mutation/summary.ts';
import { readAwaitingRun, readEquivalents, sha256, summarize } from '../../scripts/mutation/summary.ts';

function mutant(id: string, status: MutantStatus, line = 1, replacement = 'false'): MutantResult {
  return {
    id,
    mutatorName: 'BooleanLiteral',
    replacement,
    status,
    location: { start: { line, column: 5 }, end: { line, column: 9 } },
  };
}

function reportOf(files: Record<string, { source: string; mutants: MutantResult[] }>): MutationReport {
  return {
    schemaVersion: '2',
    files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, { language: 'typescript', ...v }])),
    testFiles: {},
  };
}

const FILE = 'packages/core/src/intake/example.ts';
const why = 'the flag is only read after the value is overwritten, so flipping it changes nothing';

describe('summarize', () => {
  it('counts no-coverage mutants as survived in the score, and leaves compile errors and ignored ones out', () => {
    const report = reportOf({
      [FILE]: {
        source: 'const a = true;',
        mutants: [
          mutant('1', 'Killed'),
          mutant('2', 'Timeout'),
          mutant('3', 'Survived'),
          mutant('4', 'NoCoverage'),
          mutant('5', 'CompileError'),
          mutant('6', 'Ignored'),
        ],
      },
    });
    expect(summarize(report, []).files[FILE]).toEqual({
      sha256: sha256('const a = true;'),
      mutants: 6,
      killed: 1,
      timeout: 1,
      survived: 1,
      noCoverage: 1,
      equivalent: 0,
      notRun: 2,
      score: 50,
    });
  });

  it('rounds the score down, so 84.999 % is not 85 %', () => {
    const mutants = [...Array.from({ length: 5666 }, (_, i) => mutant(`k${i}`, 'Killed'))];
    mutants.push(...Array.from({ length: 1000 }, (_, i) => mutant(`s${i}`, 'Survived')));
    expect(summarize(reportOf({ [FILE]: { source: '', mutants } }), []).files[FILE]?.score).toBe(84.99);
  });

  it('has no score for a file without mutants (types only)', () => {
    expect(
      summarize(reportOf({ [FILE]: { source: 'export type A = 1;', mutants: [] } }), []).files[FILE]?.score,
    ).toBe(null);
  });

  it('counts a listed equivalent mutant as killed while it still survives at that line with that replacement', () => {
    const report = reportOf({
      [FILE]: { source: 'x', mutants: [mutant('1', 'Killed'), mutant('2', 'Survived', 3)] },
    });
    const equivalent: EquivalentMutant = {
      file: FILE,
      line: 3,
      mutator: 'BooleanLiteral',
      replacement: 'false',
      why,
    };
    expect(summarize(report, [equivalent]).files[FILE]).toMatchObject({
      survived: 0,
      equivalent: 1,
      score: 100,
    });
  });

  it('fails on an equivalent entry whose mutant moved or changed (a stale entry)', () => {
    const report = reportOf({ [FILE]: { source: 'x', mutants: [mutant('2', 'Survived', 3)] } });
    const moved: EquivalentMutant = {
      file: FILE,
      line: 4,
      mutator: 'BooleanLiteral',
      replacement: 'false',
      why,
    };
    const changed: EquivalentMutant = {
      file: FILE,
      line: 3,
      mutator: 'BooleanLiteral',
      replacement: 'true',
      why,
    };
    for (const entry of [moved, changed]) {
      expect(() => summarize(report, [entry])).toThrow(EquivalentMutantStaleError);
    }
    // A file without a report yet cannot be checked: its entries wait for its first run.
    const unmeasured: EquivalentMutant = { ...moved, file: 'packages/core/src/unmeasured.ts' };
    expect(summarize(report, [unmeasured]).files[FILE]).toMatchObject({ survived: 1, equivalent: 0 });
  });

  it('fails on an equivalent entry whose mutant a test kills: it is not equivalent', () => {
    const report = reportOf({ [FILE]: { source: 'x', mutants: [mutant('2', 'Killed', 3)] } });
    const entry: EquivalentMutant = {
      file: FILE,
      line: 3,
      mutator: 'BooleanLiteral',
      replacement: 'false',
      why,
    };
    expect(() => summarize(report, [entry])).toThrow(/Killed, not surviving/);
  });

  it('needs the column when two mutants of the line share mutator and replacement', () => {
    const twin = {
      ...mutant('3', 'Survived', 3),
      location: { start: { line: 3, column: 20 }, end: { line: 3, column: 24 } },
    };
    const report = reportOf({ [FILE]: { source: 'x', mutants: [mutant('2', 'Survived', 3), twin] } });
    const entry: EquivalentMutant = {
      file: FILE,
      line: 3,
      mutator: 'BooleanLiteral',
      replacement: 'false',
      why,
    };
    expect(() => summarize(report, [entry])).toThrow(/add the column/);
    expect(summarize(report, [{ ...entry, column: 20 }]).files[FILE]).toMatchObject({
      survived: 1,
      equivalent: 1,
    });
  });
});

describe('readEquivalents', () => {
  it('rejects an entry without a reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-mutation-'));
    const path = join(dir, 'equivalents.json');
    writeFileSync(
      path,
      JSON.stringify([{ file: FILE, line: 1, mutator: 'BooleanLiteral', replacement: 'false', why: '' }]),
    );
    expect(() => readEquivalents(path)).toThrow(MutationFileInvalidError);
  });
});

describe('checkMutation', () => {
  const source = 'export const a = 1;\n';
  const entry = (score: number | null, text = source) => ({
    sha256: sha256(text),
    mutants: 10,
    killed: 0,
    timeout: 0,
    survived: 0,
    noCoverage: 0,
    equivalent: 0,
    notRun: 0,
    score,
  });
  const summary = (files: MutationSummary['files']): MutationSummary => ({ threshold: 85, files });
  const read = () => source;

  it('passes a current file at or above the threshold, and a file without mutants', () => {
    expect(
      checkMutation({
        summary: summary({ [FILE]: entry(85), 'b.ts': entry(null) }),
        belowThreshold: {},
        targets: [FILE, 'b.ts'],
        read,
      }),
    ).toEqual([]);
  });

  it('fails a target file that has no report (new, split or moved)', () => {
    const problems = checkMutation({ summary: summary({}), belowThreshold: {}, targets: [FILE], read });
    expect(problems).toEqual([expect.stringContaining(`${FILE}: no mutation report`)]);
  });

  it('fails a target file that changed after its report', () => {
    const problems = checkMutation({
      summary: summary({ [FILE]: entry(100, 'export const a = 2;\n') }),
      belowThreshold: {},
      targets: [FILE],
      read,
    });
    expect(problems).toEqual([expect.stringContaining('changed after its mutation report')]);
  });

  it('fails a score under the threshold', () => {
    const problems = checkMutation({
      summary: summary({ [FILE]: entry(84.99) }),
      belowThreshold: {},
      targets: [FILE],
      read,
    });
    expect(problems).toEqual([expect.stringContaining('84.99 % is under 85 %')]);
  });

  it('lets an allowed file stay under the threshold, but not under its floor, and asks to drop the allowance at the threshold', () => {
    const allowed = { [FILE]: { floor: 60, why: 'second wave' } };
    expect(
      checkMutation({
        summary: summary({ [FILE]: entry(61) }),
        belowThreshold: allowed,
        targets: [FILE],
        read,
      }),
    ).toEqual([]);
    expect(
      checkMutation({
        summary: summary({ [FILE]: entry(59.5) }),
        belowThreshold: allowed,
        targets: [FILE],
        read,
      }),
    ).toEqual([expect.stringContaining('fell under its recorded floor 60 %')]);
    expect(
      checkMutation({
        summary: summary({ [FILE]: entry(90) }),
        belowThreshold: allowed,
        targets: [FILE],
        read,
      }),
    ).toEqual([expect.stringContaining('remove it from mutation/below-threshold.json')]);
  });

  it('lets a file listed as not measured yet go without a report, and asks for its floor once it has one', () => {
    const notYet = { [FILE]: { floor: null, why: 'no complete run yet' } };
    expect(checkMutation({ summary: summary({}), belowThreshold: notYet, targets: [FILE], read })).toEqual(
      [],
    );
    expect(
      checkMutation({
        summary: summary({ [FILE]: entry(70) }),
        belowThreshold: notYet,
        targets: [FILE],
        read,
      }),
    ).toEqual([expect.stringContaining('give it a floor')]);
  });

  it('lets a file listed as awaiting a run be stale or unreported, and nothing else', () => {
    const awaitingRun = { [FILE]: 'changed by the last merge', 'new.ts': 'split out this round' };
    const stale = summary({ [FILE]: entry(100, 'export const a = 2;\n') });
    expect(
      checkMutation({ summary: stale, belowThreshold: {}, awaitingRun, targets: [FILE, 'new.ts'], read }),
    ).toEqual([]);
    // Not listed: the same stale report fails.
    expect(
      checkMutation({ summary: stale, belowThreshold: {}, awaitingRun: {}, targets: [FILE], read }),
    ).toEqual([expect.stringContaining('changed after its mutation report')]);
  });

  it('fails a file listed as awaiting a run whose report is current, and a listed file that is gone', () => {
    const problems = checkMutation({
      summary: summary({ [FILE]: entry(90) }),
      belowThreshold: {},
      awaitingRun: { [FILE]: 'changed', 'gone.ts': 'moved' },
      targets: [FILE],
      read,
    });
    expect(problems).toEqual([
      expect.stringContaining(
        `${FILE}: its mutation report is current: remove it from mutation/awaiting-run.json`,
      ),
      expect.stringContaining('gone.ts: in mutation/awaiting-run.json but no longer a target file'),
    ]);
  });

  it('fails report entries, allowances and equivalents for files that are no longer targets', () => {
    const problems = checkMutation({
      summary: summary({ 'old.ts': entry(100) }),
      belowThreshold: { 'older.ts': { floor: 1, why: 'x' } },
      targets: [],
      read,
      equivalentFiles: ['oldest.ts'],
    });
    expect(problems).toEqual([
      expect.stringContaining('old.ts: in the mutation report'),
      expect.stringContaining('older.ts'),
      expect.stringContaining('oldest.ts: in mutation/equivalents.json'),
    ]);
  });
});

describe('readAwaitingRun', () => {
  it('reads file → reason, is empty when the file does not exist, and rejects an entry without a reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'awaiting-'));
    const path = join(dir, 'awaiting-run.json');
    expect(readAwaitingRun(path)).toEqual({});
    writeFileSync(path, JSON.stringify({ [FILE]: 'changed by a merge' }));
    expect(readAwaitingRun(path)).toEqual({ [FILE]: 'changed by a merge' });
    writeFileSync(path, JSON.stringify({ [FILE]: ' ' }));
    expect(() => readAwaitingRun(path)).toThrow(MutationFileInvalidError);
    writeFileSync(path, JSON.stringify([FILE]));
    expect(() => readAwaitingRun(path)).toThrow(MutationFileInvalidError);
  });
});

describe('mergeReports', () => {
  it("replaces the run's files, keeps the others, drops deleted ones, and gives the run's tests stable ids", () => {
    const previous: MutationReport = {
      schemaVersion: '2',
      files: {
        'kept.ts': {
          language: 'typescript',
          source: 'k',
          mutants: [{ ...mutant('1', 'Killed'), killedBy: ['t.test.ts#old'] }],
        },
        'rerun.ts': { language: 'typescript', source: 'old', mutants: [] },
        'deleted.ts': { language: 'typescript', source: 'd', mutants: [] },
      },
      testFiles: { 't.test.ts': { tests: [{ id: 't.test.ts#old', name: 'old' }] } },
    };
    const run: MutationReport = {
      schemaVersion: '2',
      projectRoot: '/home/someone/cordon',
      files: {
        'rerun.ts': {
          language: 'typescript',
          source: 'new',
          mutants: [{ ...mutant('7', 'Killed'), coveredBy: ['0', '1'], killedBy: ['1'] }],
        },
      },
      testFiles: {
        'u.test.ts': {
          tests: [
            { id: '0', name: 'same' },
            { id: '1', name: 'same' },
          ],
        },
      },
    };
    const merged = mergeReports(previous, run, (path) => path !== 'deleted.ts');
    expect(Object.keys(merged.files)).toEqual(['kept.ts', 'rerun.ts']);
    expect(merged.files['kept.ts']).toBe(previous.files['kept.ts']);
    expect(merged.files['rerun.ts']?.mutants[0]).toMatchObject({
      coveredBy: [shortTestId('u.test.ts#same'), shortTestId('u.test.ts#same (2)')],
      killedBy: [shortTestId('u.test.ts#same (2)')],
    });
    expect(Object.keys(merged.testFiles ?? {})).toEqual(['t.test.ts', 'u.test.ts']);
    expect(merged.projectRoot).toBeUndefined();
  });
});

describe('mergeIntoCache', () => {
  const file = (source: string, mutants: MutantResult[]) => ({ language: 'typescript', source, mutants });

  it('keeps what an interrupted run tested on top of what was known, mutant by mutant', () => {
    const cache: MutationReport = {
      schemaVersion: '2',
      files: {
        'a.ts': file('A', [mutant('1', 'Survived', 1), mutant('2', 'Killed', 2)]),
        'b.ts': file('B', [mutant('1', 'Killed')]),
      },
      testFiles: {},
    };
    const stopped: MutationReport = {
      schemaVersion: '2',
      files: { 'a.ts': file('A', [{ ...mutant('9', 'Killed', 1), killedBy: ['0'] }]) },
      testFiles: { 'a.test.ts': { tests: [{ id: '0', name: 'kills it' }] } },
    };
    const merged = mergeIntoCache(cache, stopped);
    expect(merged.files['a.ts']?.mutants.map((m) => [m.location.start.line, m.status, m.killedBy])).toEqual([
      [1, 'Killed', [shortTestId('a.test.ts#kills it')]],
      [2, 'Killed', undefined],
    ]);
    expect(merged.files['b.ts']).toEqual(cache.files['b.ts']);
  });

  it('forgets the results of a file whose source changed', () => {
    const cache: MutationReport = {
      schemaVersion: '2',
      files: { 'a.ts': file('old', [mutant('1', 'Survived', 1), mutant('2', 'Killed', 2)]) },
    };
    const run: MutationReport = {
      schemaVersion: '2',
      files: { 'a.ts': file('new', [mutant('1', 'Killed', 1)]) },
    };
    expect(mergeIntoCache(cache, run).files['a.ts']?.mutants).toHaveLength(1);
  });
});

describe('withoutSurvivors', () => {
  it('drops the surviving and uncovered mutants of the files named, so Stryker tests them again, and keeps the rest', () => {
    // Prepare
    const report = reportOf({
      'a.ts': {
        source: 'A',
        mutants: [mutant('1', 'Survived', 1), mutant('2', 'Killed', 2), mutant('3', 'NoCoverage', 3)],
      },
      'b.ts': { source: 'B', mutants: [mutant('1', 'Survived', 1)] },
    });

    // Act
    const kept = withoutSurvivors(report, ['a.ts', 'gone.ts']);

    // Assess
    expect(kept.files['a.ts']?.mutants.map((m) => m.status)).toEqual(['Killed']);
    expect(kept.files['b.ts']).toEqual(report.files['b.ts']);
    expect(Object.keys(kept.files)).toEqual(['a.ts', 'b.ts']);
  });
});
