import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, PATHS, ROOT } from './paths.ts';
import { renderMutationDoc } from './render.ts';
import { type MutationReport, readReportIfAny, writeReport } from './report.ts';
import {
  type MutationSummary,
  readAwaitingRun,
  readBelowThreshold,
  readEquivalents,
  summarize,
} from './summary.ts';

/** The summary and the page as the generator makes them from the committed files (the check compares). */
export function generate(report: MutationReport): { summary: MutationSummary; doc: string } {
  const equivalents = readEquivalents(at(PATHS.equivalents));
  const belowThreshold = readBelowThreshold(at(PATHS.belowThreshold));
  const awaitingRun = readAwaitingRun(at(PATHS.awaitingRun));
  const summary = summarize(report, equivalents);
  return { summary, doc: renderMutationDoc({ report, summary, equivalents, belowThreshold, awaitingRun }) };
}

export function serializeSummary(summary: MutationSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/**
 * Drops the files that no longer exist from the committed report, then writes it, the summary and the page.
 * Throws EquivalentMutantStaleError (writing nothing) when an equivalent entry names no surviving mutant.
 */
export function regenerate(report: MutationReport = readReportIfAny(at(PATHS.report))): MutationSummary {
  const files = Object.fromEntries(
    Object.entries(report.files).filter(([path]) => existsSync(join(ROOT, path))),
  );
  const pruned: MutationReport = { ...report, files };
  const { summary, doc } = generate(pruned);
  writeReport(at(PATHS.report), pruned);
  writeFileSync(at(PATHS.summary), serializeSummary(summary));
  writeFileSync(at(PATHS.doc), doc);
  return summary;
}
