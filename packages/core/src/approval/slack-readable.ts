/**
 * The readable parts of an approval's Slack message (readable.ts, in mrkdwn): the steps in words, the
 * resources by name, what GuardDuty saw, the console links, and the expiry in the reader's own time zone.
 * Finding text is NFKC-normalised, then escaped (`escapeMrkdwn`, always last); times are Slack dates, which
 * Slack shows in each reader's zone (https://docs.slack.dev/messaging/formatting-message-text#date-formatting).
 */

import { escapeMrkdwn, slackDate, slackLink } from '../slack/mrkdwn.ts';
import {
  EVIDENCE_TIME_LABELS,
  evidenceLines,
  executionConsoleUrl,
  findingConsoleUrl,
  namedResources,
  stepWords,
  timeLeft,
} from './readable.ts';
import type { ApprovalRecord } from './records.ts';

/** Finding text as Slack shows it: compatibility forms folded (NFKC), then escaped. */
export function slackText(text: string): string {
  return escapeMrkdwn(text.normalize('NFKC'));
}

/**
 * Each step approval runs: what it does in words, then its id.
 *
 * @example slackSteps(['snapshot-volumes']) // ['• Starts a snapshot of every attached EBS volume, … `snapshot-volumes`']
 */
export function slackSteps(steps: readonly string[]): string[] {
  return steps.map((step) => {
    const words = stepWords(step);
    return words === undefined
      ? `• \`${slackText(step)}\``
      : `• ${escapeMrkdwn(words)} \`${slackText(step)}\``;
  });
}

/**
 * The resources, by name as well as id: `• *web-1* \`i-0abc…\` ec2-instance`.
 *
 * @example slackResources([{ kind: 'ec2-instance', instanceId: 'i-0abc', tags: { Name: 'web-1' } }]) // ['• *web-1* `i-0abc` ec2-instance']
 */
export function slackResources(resources: readonly unknown[]): string[] {
  return namedResources(resources).map((resource) => {
    const name = resource.name === undefined ? '' : `*${slackText(resource.name)}* `;
    const kind = resource.kind === undefined ? '' : ` ${slackText(resource.kind)}`;
    return `• ${name}\`${slackText(resource.id)}\`${kind}`;
  });
}

/** What GuardDuty saw, one line each; first and last seen as Slack dates. Empty when the request carries none. */
export function slackEvidence(record: Pick<ApprovalRecord, 'evidence'>): string[] {
  return evidenceLines(record.evidence).map(
    ({ label, text }) =>
      `${escapeMrkdwn(label)}: ${EVIDENCE_TIME_LABELS.has(label) ? slackDate(text) : slackText(text)}`,
  );
}

/** The console links (the finding, the execution): Cordon makes these URLs, from ids it checked. */
export function slackConsoleLinks(
  record: Pick<ApprovalRecord, 'findingId' | 'executionArn' | 'incident'>,
): string[] {
  const finding =
    record.findingId === undefined ? undefined : findingConsoleUrl(record.incident.region, record.findingId);
  const execution = record.executionArn === undefined ? undefined : executionConsoleUrl(record.executionArn);
  return [
    ...(finding === undefined ? [] : [slackLink(finding, 'Finding in the GuardDuty console')]),
    ...(execution === undefined ? [] : [slackLink(execution, 'Execution in the Step Functions console')]),
  ];
}

/**
 * The expiry as Slack shows it to each reader: the date and time in their zone, and how long the request was
 * valid for when it was posted (a message does not count down; the page does).
 *
 * @example slackExpiry(record) // 'expires <!date^1795863570^{date_short_pretty} at {time}|2026-11-28T10:59:30.000Z> (59 min after it was asked)'
 */
export function slackExpiry(record: Pick<ApprovalRecord, 'expiresAt' | 'requestedAt'>): string {
  const left = timeLeft(new Date(record.requestedAt), record.expiresAt);
  return `expires ${slackDate(record.expiresAt)} (${left === 'expired' ? 'already expired' : `${left} after it was asked`})`;
}
