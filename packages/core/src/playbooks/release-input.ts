/**
 * The StartExecution input of a release playbook, built from the input of the containment it releases: what
 * `cordon release` sends, and what docs/playbooks/*-release.md show for those who script it. Pure data.
 */
import { plannedSteps } from './catalog.ts';
import type { PlaybookId } from './ids.ts';

/** The playbooks a responder starts to undo what an incident's playbook changed. */
export const RELEASE_PLAYBOOKS = ['ec2-release', 'credential-release', 'remediation-release'] as const;
export type ReleasePlaybook = (typeof RELEASE_PLAYBOOKS)[number];

/** Who asks for the release, and whether it is a dry run (it then changes nothing). */
export interface ReleaseRequest {
  /** The caller's ARN (STS GetCallerIdentity), shown as the reason in the approval request. */
  readonly requestedBy: string;
  /** How it was asked for, in the approval's reason: `cordon release` unless said (a game day's scenario step). */
  readonly via?: string;
  readonly dryRun: boolean;
}

/**
 * The release's input: the containment's own execution input (the same `incident`, `controls`, `run`,
 * `settingsVersion`, `observation`), with a decision that names the release playbook, its steps (shown in the
 * approval request), who asked and whether it is a dry run; approval required and a timeout that never approves
 * (the release playbooks ignore the default anyway: DOMAIN.md item 18). `ec2-release` keeps the containment's
 * `target` (`{ instanceId }`); the two others read what to undo from the ledger and take `{}`.
 *
 * @example releaseExecutionInput(containmentInput, 'credential-release', { requestedBy: 'arn:aws:sts::111122223333:assumed-role/oncall/jane', dryRun: false }).decision.steps // ['request-approval', 'release-credentials', 'notify']
 */
export function releaseExecutionInput(
  containment: Readonly<Record<string, unknown>>,
  playbook: ReleasePlaybook,
  request: ReleaseRequest,
): Record<string, unknown> {
  const approval =
    typeof containment.approval === 'object' && containment.approval !== null
      ? (containment.approval as Record<string, unknown>)
      : {};
  return {
    ...containment,
    decision: {
      playbook,
      approval: 'required',
      steps: ['request-approval', ...plannedSteps(playbook as PlaybookId)],
      reason: `Release requested by ${request.requestedBy} with ${request.via ?? 'cordon release'}.`,
      dryRun: request.dryRun,
    },
    target: playbook === 'ec2-release' ? containment.target : {},
    approval: { ...approval, required: true, timeoutDefault: 'reject' },
  };
}
