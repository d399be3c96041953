import { renderTable } from '../table.ts';
import { formatChanges } from './replay-format.ts';
import type { ScenarioReport, StepReport } from './scenario-run.ts';

/** One line for a step: what it did and what came of it. */
export function stepLine(step: StepReport): string {
  const head = `${String(step.index).padStart(2)}. ${step.kind.padEnd(8)} ${step.outcome}`;
  switch (step.kind) {
    case 'deliver': {
      const details = (step.deliveries ?? []).map((delivery) => {
        const what =
          delivery.decision === null
            ? (delivery.reason ?? '')
            : delivery.decision.action === 'ignore'
              ? delivery.decision.reason
              : `${delivery.decision.action}${delivery.decision.playbook === null ? '' : ` ${delivery.decision.playbook}`}, approval ${delivery.decision.approval}${delivery.provisional === true ? ', provisional (settings failed closed)' : ''}`;
        const execution = delivery.execution === null ? '' : ` → ${delivery.execution}`;
        return `${delivery.file}: ${delivery.result}${execution} (${what.slice(0, 140)})`;
      });
      return [head, ...details.map((detail) => `      ${detail}`)].join('\n');
    }
    case 'decide':
      return [
        head,
        ...(step.approvals ?? []).map(
          (approval) => `      ${approval.executionName}: ${approval.outcome} (HTTP ${approval.status})`,
        ),
      ].join('\n');
    case 'release':
      return `${head}: ${step.execution?.name} (${step.execution?.status}) for ${step.incident}`;
    case 'advance':
      return `${head} from ${step.at}${(step.timedOut ?? []).length > 0 ? `; approval timed out: ${(step.timedOut ?? []).map((approval) => approval.executionName).join(', ')}` : ''}`;
    case 'fail':
      return `${head}: ${step.fault}`;
    case 'settings':
      return `${head} (seen by each function once its cache's 60 s have passed)`;
  }
}

/** The scenario for a person at a terminal: the steps, the executions, what changed, the AWS calls. */
export function formatScenario(report: ScenarioReport): string[] {
  const lines = [`Scenario: ${report.file}`];
  if (report.description !== undefined) lines.push(`  ${report.description}`);
  lines.push(`Clock: ${report.start} → ${report.end}`, '', ...report.steps.map(stepLine), '');
  lines.push(
    ...(report.executions.length === 0
      ? ['Executions: none']
      : renderTable(
          ['EXECUTION', 'PLAYBOOK', 'STATUS', 'CAUSE'],
          report.executions.map((execution) => [
            execution.name,
            execution.playbook,
            execution.status,
            execution.cause ?? '',
          ]),
        )),
  );
  if (report.pendingApprovals.length > 0) {
    lines.push(
      '',
      `Still waiting for approval when the scenario ended (then stopped): ${report.pendingApprovals.map((approval) => approval.executionName).join(', ')}`,
    );
  }
  lines.push('', ...formatChanges(report.changes));
  const denied = report.calls.filter((call) => call.iam === 'denied').length;
  const failed = report.calls.filter((call) => call.outcome !== 'ok').length;
  lines.push(
    '',
    `AWS calls: ${report.calls.length} (${failed} answered with an error${denied > 0 ? `, ${denied} denied by IAM` : ''}); --json lists them with their principal.`,
  );
  return lines;
}
