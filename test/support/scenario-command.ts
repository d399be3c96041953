import { resolve } from 'node:path';
import type { ScenarioReport } from '../../packages/cli/src/commands/scenario-run.ts';
import { main } from '../../packages/cli/src/main.ts';

/** The scenario files of the scenario tests (`test/scenarios/files`). */
export const SCENARIO_FILES = resolve(import.meta.dirname, '..', 'scenarios', 'files');

/** What `cordon scenario <file> --json` answered: its exit code, its one JSON object, what it wrote on stderr. */
export interface PlayedScenario {
  readonly exit: number;
  readonly report: ScenarioReport;
  readonly stderr: readonly string[];
}

/**
 * Runs `cordon scenario <file> --json` through the command's own code (`main`), as a person at a terminal
 * would, and parses its output.
 *
 * @example const { report } = await playScenario(`${SCENARIO_FILES}/ec2-compromise.limit-zero.json`);
 */
export async function playScenario(file: string): Promise<PlayedScenario> {
  const out: string[] = [];
  const stderr: string[] = [];
  const exit = await main(['scenario', file, '--json'], {
    out: (...lines) => out.push(...lines),
    err: (line) => stderr.push(line),
  });
  if (out.length !== 1) {
    throw new Error(`cordon scenario printed ${out.length} lines (exit ${exit}): ${stderr.join('\n')}`);
  }
  return { exit, report: JSON.parse(out[0] as string) as ScenarioReport, stderr };
}

/** Each step's outcome, in order: what a scenario test usually asserts first. */
export function outcomes(report: ScenarioReport): string[] {
  return report.steps.map((step) => `${step.kind}:${step.outcome}`);
}
