import { RETRYABLE_ERROR_NAMES, TERMINAL_ERROR_NAMES } from '../errors.ts';
import { plannedSteps } from '../playbooks/catalog.ts';
import { CONTAINMENT_PART_IDS, PLAYBOOK_IDS, type StepId } from '../playbooks/ids.ts';
import { ACTION_IDS, ACTIONS } from './catalog.ts';
import { INLINE_POLICY_QUOTA, QUARANTINE_SID } from './deny-policy.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The playbooks that run a step, as links to their pages: the action's routing entry. */
function playbooksRunning(step: StepId): string {
  const ids = PLAYBOOK_IDS.filter((id) => plannedSteps(id).includes(step));
  return ids.length === 0 ? 'none' : ids.map((id) => `[\`${id}\`](playbooks/${id}.md)`).join(', ');
}

/** How Cordon's own deny policy is kept: the same text for every reader of docs/actions.md. */
const DENY_POLICY_SECTION: readonly string[] = [
  "## Cordon's deny policy (`cordon-deny`)",
  '',
  '`quarantine-instance-profile` and `revoke-sessions` write Deny statements into one inline policy of the role',
  "or user, `cordon-deny`; `release-instance` takes an instance's deny out again, and `release-credentials` an incident's session deny (deleting the policy only when nothing else is left in it). Cordon never edits a",
  'policy of that name it did not write, and never any other policy.',
  '',
  `- **One statement for every quarantined instance of a role**: \`${QUARANTINE_SID}\` denies the role's`,
  '  sessions when `ec2:SourceInstanceARN` is any of the listed instances (several values of one condition key',
  '  are ORed: [IAM User Guide](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html)).',
  '  About 65 characters per instance, where a statement per instance took about 200: a fleet of some 150',
  "  instances fits in a role's quota rather than some 50. Statements written one per instance by earlier",
  '  versions are read, released, and folded into the list when the policy is next written.',
  '  `revoke-sessions` keeps one statement per incident (`CordonRevokeSessions…`, its `aws:TokenIssueTime`), so',
  '  that each can be removed by hand once its credentials are rotated.',
  '- **One writer at a time per principal.** IAM has no conditional write: two steps that read, change and write',
  '  back `cordon-deny` at once (two instances of a fleet contained in parallel, the usual case) would drop one',
  "  statement. Each writer first takes the principal's lease in the ledger table (`lease#deny-policy#…`, the",
  '  same conditional write `contain-instance` uses for an instance), reads the policy under it, writes, and',
  '  gives the lease back; another writer waits a few seconds, then its step fails with',
  '  `EventualConsistencyError` and Step Functions retries it. The three actions declare `leases: true`, so',
  '  their roles may give a lease back (DeleteItem on `lease#*` partitions only).',
  `- **When cordon-deny is full.** A role's inline policies may total ${INLINE_POLICY_QUOTA.role.toLocaleString('en-US')} characters and a user's`,
  `  ${INLINE_POLICY_QUOTA.user.toLocaleString('en-US')}, white space not counted ([IAM quotas](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)). A deny that would`,
  '  pass the quota is not written: the step fails with the terminal `DenyPolicyFullError` (also when IAM answers',
  "  `LimitExceeded` because the principal's other inline policies take the room; IAM's `LimitExceeded` is",
  '  otherwise read as throttling, which retrying here could never cure). `quarantine-instance-profile` still',
  '  removes or replaces the instance profile first, so no new credentials reach the instance; the credentials',
  '  it already holds stay valid until they expire. The playbook reports the failed step to the responders',
  '  (SNS, Slack), naming the role, the size and the quota, and the execution ends `FAILED`.',
  '  **The approval path:** denying the instance without the list means denying every session of the role',
  '  issued before now — every instance of the fleet until its credentials are refreshed — so Cordon never',
  '  does it on its own. A responder who judges it worth it starts `credential-compromise` for the role, which',
  '  asks for approval first: input `target: { principalType: "role", name: "<role>" }`, `run: { revokeSessions:',
  '  true, deactivateAccessKey: false, disableConsoleAccess: false }`, `decision.steps: ["request-approval",',
  '  "revoke-sessions", "notify"]`, `approval: { required: true, timeoutSeconds: 3600, timeoutDefault: "reject" }`,',
  "  the incident as in the failed execution's input. Or make room: release instances that no longer need the",
  "  deny, or move the role's other inline policies to managed policies.",
];

/**
 * Renders docs/actions.md from the action catalog and the playbook catalog, so the page cannot drift from
 * the code.
 *
 * @example renderActionsDoc().startsWith('# Actions') // true
 */
export function renderActionsDoc(): string {
  const lines: string[] = [
    '# Actions',
    '',
    '<!-- Generated by `npm run docs:actions` from packages/core/src/actions/catalog.ts and packages/core/src/playbooks/catalog.ts. Do not edit by hand. -->',
    '',
    'Each playbook step that changes (or reports on) the account is an **action**: a declared unit in',
    '`packages/core/src/actions/<id>.ts` with an input schema, the IAM permissions its Lambda function gets (and',
    'nothing more), the errors Step Functions retries, and the code. Every action:',
    '',
    '- **reads live state first** (the event is a hint, not the truth) and plans its changes from it —',
    '  `contain-instance` may start from the reads triage made seconds before (at most 30 s), and checks them',
    '  against the live instance before any change, planning again if anything differs;',
    '- **checks the exemption tag and break-glass principals before any change** (`ExemptResourceError`, terminal, recorded);',
    '- **records what it will change in the incident ledger before changing it** (with what a release needs — those',
    '  records never expire, so a long quarantine stays releasable), then the outcome;',
    '- in **dry-run** (the decision says so, or the settings mode is not `enforce` — invalid settings fail closed)',
    '  records what it would do and makes no mutating call;',
    '- treats **"already done" as success**, so a retry or a second delivery changes nothing;',
    '- throws errors whose **names** tell Step Functions what to do:',
    `  retryable ${RETRYABLE_ERROR_NAMES.map((name) => `\`${name}\``).join(', ')};`,
    `  terminal ${TERMINAL_ERROR_NAMES.map((name) => `\`${name}\``).join(', ')}.`,
    '  A failure mid-way says what was done and what was not.',
    '',
    'Permissions use `{account}` and `{region}` placeholders that infra fills in (and `{prefix}`, `cordon-<stage>`,',
    "for Cordon's own resources; `{quarantineRole}` for the quarantine profile's role); `*` appears only where",
    'the action has no resource type in the Service Authorization Reference (most `Describe*`/`List*`, and',
    '`iam:ListUsers`). In a member account each action acts through its own role, with exactly these',
    'permissions ([iam.md](iam.md)).',
    '',
    `${CONTAINMENT_PART_IDS.map((id) => `\`${id}\``)
      .join(', ')
      .replace(/, ([^,]*)$/, ' and $1')} are the parts \`contain-instance\` runs`,
    'in its one step (each has its own module and tests, and names its part of the restore record); no playbook',
    'runs them on their own, so no function is deployed for them.',
    '',
    ...DENY_POLICY_SECTION,
    '',
    '## Summary',
    '',
    '| Action | What it changes | Undo | Retried on | Runs in |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const id of ACTION_IDS) {
    const action = ACTIONS[id];
    lines.push(
      `| [\`${id}\`](#${id}) | ${cell(action.summary)} | ${cell(action.undo)} | ${action.retryableErrors.map((name) => `\`${name}\``).join(', ')} | ${playbooksRunning(id)} |`,
    );
  }
  for (const id of ACTION_IDS) {
    const action = ACTIONS[id];
    lines.push(
      '',
      `## ${id}`,
      '',
      action.summary,
      '',
      `- **Undo:** ${action.undo}`,
      `- **Dry-run:** ${action.dryRunBehaviour}`,
    );
    lines.push(`- **Mutating:** ${action.mutating ? 'yes' : 'no (runs in dry-run too)'}`);
    lines.push(`- **Runs in:** ${playbooksRunning(id)}`);
    lines.push(
      `- **Source:** \`packages/core/src/actions/${id}.ts\`; handler \`packages/functions/src/handlers/actions/${id}.ts\``,
    );
    const { release } = action;
    if (release !== undefined) {
      lines.push(
        `- **Release:** ${release.summary} Run by [\`release-remediation\`](#release-remediation) (playbook [\`remediation-release\`](playbooks/remediation-release.md)), whose function holds these permissions, not this action's: ${release.permissions
          .flatMap((permission) => permission.actions)
          .map((name) => `\`${name}\``)
          .join(', ')}.`,
      );
    }
    lines.push('', '| IAM actions | Resources | Condition | Why |', '| --- | --- | --- | --- |');
    for (const permission of action.permissions) {
      const condition =
        permission.condition === undefined ? '' : `\`${JSON.stringify(permission.condition)}\``;
      lines.push(
        `| ${permission.actions.map((name) => `\`${name}\``).join(', ')} | ${permission.resources.map((resource) => `\`${resource}\``).join(', ')} | ${cell(condition)} | ${cell(permission.why)} |`,
      );
    }
  }
  lines.push('');
  return lines.join('\n');
}
