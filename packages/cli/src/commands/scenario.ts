import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { deploymentState } from '@cordon/local/deployment-state';
import { UsageError } from '../errors.ts';
import { EXIT, type Io } from '../io.ts';
import { loadScenarioFile, ScenarioFileInvalidError } from './scenario-file.ts';
import { formatScenario, stepLine } from './scenario-format.ts';
import { type RunScenarioOptions, runScenario, ScenarioStoppedError } from './scenario-run.ts';

export const SCENARIO_USAGE = `  cordon scenario <scenario-file> [--json] [--save <state-file>]
      Plays a story against one sandbox account and one local deployment, step by step, with time:
      deliver events (several at once), decide approvals as a Slack click would, release an incident,
      change settings, inject faults, advance the clock. Prints each step, the executions, what
      changed and every AWS call (docs/game-days.md). --save writes the deployment's state at the end.
      Exit codes: 0 the scenario ran, 1 a step could not run, 2 the file is not a valid scenario.`;

/**
 * `cordon scenario <file> [--json] [--save <state.json>]`: validates the whole file first (exit 2 naming the
 * step and field, nothing run), then plays it (exit 0; 1 when a step cannot run, with the story so far).
 *
 * @example await scenarioCommand(['scenarios/released-instance-attacked-again.json', '--json'], io)
 */
export async function scenarioCommand(
  args: readonly string[],
  io: Io,
  options: Pick<RunScenarioOptions, 'authorizer'> = {},
): Promise<number> {
  let parsed: { values: { json?: boolean; save?: string }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, save: { type: 'string' } },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('scenario takes exactly one scenario file.');
  const json = values.json === true;
  let scenario: Awaited<ReturnType<typeof loadScenarioFile>>;
  try {
    scenario = await loadScenarioFile(positionals[0] ?? '');
  } catch (error) {
    if (error instanceof ScenarioFileInvalidError) {
      io.err(`cordon: ${error.name}: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  try {
    const report = await runScenario(scenario, {
      ...options,
      ...(json ? {} : { onStep: (step) => io.err(stepLine(step)) }),
      ...(values.save === undefined
        ? {}
        : {
            onEnd: async (deployment) => {
              await writeFile(values.save as string, `${JSON.stringify(deploymentState(deployment))}\n`);
            },
          }),
    });
    for (const line of json ? [JSON.stringify(report)] : formatScenario(report)) io.out(line);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ScenarioStoppedError) {
      for (const line of json ? [JSON.stringify(error.report)] : formatScenario(error.report)) io.out(line);
      // The step's own error names what went wrong (ReleaseNothingContainedError).
      const name = error.cause instanceof Error ? error.cause.name : error.name;
      io.err(`cordon: ${name}: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
}
