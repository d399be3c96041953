/**
 * The approval as a person reads it at 3 a.m. on a phone: each step in words (the action catalog's own
 * `summary`, through `step-words.generated.ts`), the evidence that led here, the resources by name as well as
 * id, the console links, and the time left. Plain text out: the page escapes it as HTML, the Slack message as
 * mrkdwn. Nothing here decides anything.
 */
import * as z from '../zod.ts';
import { STEP_WORDS } from './step-words.generated.ts';

const Text = z.string().check(z.maxLength(256));

/** The evidence a request carries (intake/guardduty-evidence.ts); a part of another shape is dropped. */
export const ApprovalEvidenceSchema = z.object({
  actionType: z.optional(Text),
  api: z.optional(Text),
  service: z.optional(Text),
  callerType: z.optional(Text),
  errorCode: z.optional(Text),
  domain: z.optional(Text),
  direction: z.optional(Text),
  protocol: z.optional(Text),
  remotePort: z.optional(z.int().check(z.gte(0), z.lte(65_535))),
  localPort: z.optional(z.int().check(z.gte(0), z.lte(65_535))),
  remote: z.optional(
    z.object({
      ip: z.optional(Text),
      country: z.optional(Text),
      city: z.optional(Text),
      asn: z.optional(Text),
      asnOrg: z.optional(Text),
      isp: z.optional(Text),
    }),
  ),
  count: z.optional(z.int().check(z.gte(0))),
  firstSeen: z.optional(z.iso.datetime()),
  lastSeen: z.optional(z.iso.datetime()),
});
export type ApprovalEvidence = z.output<typeof ApprovalEvidenceSchema>;

/**
 * What a step does, in words; `undefined` for a step the catalog does not know (the test keeps every step id
 * of the playbooks known).
 *
 * @example stepWords('snapshot-volumes') // 'Starts a snapshot of every attached EBS volume, tagged with …'
 */
export function stepWords(step: string): string | undefined {
  return Object.hasOwn(STEP_WORDS, step) ? STEP_WORDS[step] : undefined;
}

/** A resource as the approval shows it: its kind, its id, and its name where the finding carries one. */
export interface NamedResource {
  readonly kind?: string;
  readonly id: string;
  /** The instance's `Name` tag, the user's or role's name (when it is not the id already). */
  readonly name?: string;
}

function field(value: Record<string, unknown>, key: string): string | undefined {
  const found = Object.hasOwn(value, key) ? value[key] : undefined;
  return typeof found === 'string' && found !== '' ? found : undefined;
}

/**
 * The resources by id and name: an instance's `Name` tag, an access key's user, an IAM user's or role's name.
 * Resources are unknown JSON (the request carries the incident's): read defensively.
 *
 * @example namedResources([{ kind: 'ec2-instance', instanceId: 'i-0abc', tags: { Name: 'web-1' } }]) // [{ kind: 'ec2-instance', id: 'i-0abc', name: 'web-1' }]
 */
export function namedResources(resources: readonly unknown[]): NamedResource[] {
  return resources.map((resource) => {
    if (resource === null || typeof resource !== 'object') return { id: 'unnamed' };
    const value = resource as Record<string, unknown>;
    const kind = field(value, 'kind');
    const tags =
      value.tags !== null && typeof value.tags === 'object' ? (value.tags as Record<string, unknown>) : {};
    const id =
      field(value, 'instanceId') ??
      field(value, 'accessKeyId') ??
      field(value, 'userId') ??
      field(value, 'arn') ??
      field(value, 'userName') ??
      field(value, 'roleName') ??
      field(value, 'alarmName') ??
      field(value, 'resourceId') ??
      field(value, 'accountId') ??
      'unnamed';
    const name = field(tags, 'Name') ?? field(value, 'userName') ?? field(value, 'roleName');
    return {
      ...(kind === undefined ? {} : { kind }),
      id,
      ...(name === undefined || name === id ? {} : { name }),
    };
  });
}

/** One line of evidence: a label and its text (both plain text, to escape where they go). */
export interface EvidenceLine {
  readonly label: string;
  readonly text: string;
}

/**
 * Where GuardDuty places the remote address: `198.51.100.7 — Frankfurt am Main, Germany — AS3320 Deutsche
 * Telekom AG`, with what the finding names of it.
 */
function remoteText(remote: NonNullable<ApprovalEvidence['remote']>): string | undefined {
  const place = [remote.city, remote.country].filter((part) => part !== undefined).join(', ');
  const network =
    remote.asn === undefined && remote.asnOrg === undefined && remote.isp === undefined
      ? ''
      : [remote.asn === undefined ? undefined : `AS${remote.asn}`, remote.asnOrg ?? remote.isp]
          .filter((part) => part !== undefined)
          .join(' ');
  const parts = [remote.ip, place, network].filter((part) => part !== undefined && part !== '');
  return parts.length === 0 ? undefined : parts.join(' — ');
}

function times(count: number): string {
  return count === 1 ? 'once' : `${count.toLocaleString('en-US')} times`;
}

/**
 * The evidence as labelled lines, in the order a responder asks: what, from where, how often, when.
 *
 * @example
 * evidenceLines({ api: 'ListBuckets', service: 's3.amazonaws.com', remote: { ip: '198.51.100.7', country: 'Germany' }, count: 3 })
 * // [{ label: 'API called', text: 'ListBuckets (s3.amazonaws.com)' }, { label: 'From', text: '198.51.100.7 — Germany' }, { label: 'Seen', text: '3 times' }]
 */
export function evidenceLines(evidence: ApprovalEvidence | undefined): EvidenceLine[] {
  if (evidence === undefined) return [];
  const lines: EvidenceLine[] = [];
  if (evidence.api !== undefined) {
    const service = evidence.service === undefined ? '' : ` (${evidence.service})`;
    const error = evidence.errorCode === undefined ? '' : ` — answered ${evidence.errorCode}`;
    lines.push({ label: 'API called', text: `${evidence.api}${service}${error}` });
  }
  if (evidence.actionType === 'NETWORK_CONNECTION' || evidence.remotePort !== undefined) {
    const port = evidence.remotePort ?? evidence.localPort;
    const text = [
      evidence.direction?.toLowerCase(),
      evidence.protocol,
      'connection',
      port === undefined ? undefined : `on port ${port}`,
    ]
      .filter((part) => part !== undefined)
      .join(' ');
    lines.push({ label: 'Connection', text });
  } else if (evidence.actionType === 'PORT_PROBE') {
    lines.push({
      label: 'Port probed',
      text: evidence.localPort === undefined ? 'a port' : String(evidence.localPort),
    });
  }
  if (evidence.domain !== undefined) {
    lines.push({
      label: evidence.actionType === 'DNS_REQUEST' ? 'Domain asked' : 'Caller domain',
      text: evidence.domain,
    });
  }
  const remote = evidence.remote === undefined ? undefined : remoteText(evidence.remote);
  if (remote !== undefined) lines.push({ label: 'From', text: remote });
  if (evidence.count !== undefined) lines.push({ label: 'Seen', text: times(evidence.count) });
  if (evidence.firstSeen !== undefined) lines.push({ label: 'First seen', text: evidence.firstSeen });
  if (evidence.lastSeen !== undefined) lines.push({ label: 'Last seen', text: evidence.lastSeen });
  return lines;
}

/** Labels whose text is an ISO instant (the page and Slack show them in the reader's time zone). */
export const EVIDENCE_TIME_LABELS: ReadonlySet<string> = new Set(['First seen', 'Last seen']);

/**
 * The console's host for a Region: `https://<region>.console.aws.amazon.com`, the Regional endpoint of the
 * AWS Management Console (https://docs.aws.amazon.com/general/latest/gr/mgmt-console.html). Other partitions
 * (China, GovCloud, ISO, the European Sovereign Cloud) have consoles of their own that this page does not
 * link to: `undefined`, and no link is shown rather than a wrong one.
 */
function consoleHost(region: string): string | undefined {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return undefined;
  if (/^(cn|us-gov|us-iso[a-z]?|eusc)-/.test(region)) return undefined;
  return `https://${region}.console.aws.amazon.com`;
}

/**
 * The GuardDuty console's page of a finding, in the finding's Region: the form GuardDuty's own guide gives for
 * a notification's link, `…/guardduty/home?region=<region>#/findings?macros=current&fId=<finding id>`
 * ("Processing GuardDuty findings with Amazon EventBridge", its input template:
 * https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_eventbridge.html).
 *
 * @example findingConsoleUrl('eu-central-1', '36b01b60fc22bb4edb19d62d9899e953')
 * // 'https://eu-central-1.console.aws.amazon.com/guardduty/home?region=eu-central-1#/findings?macros=current&fId=36b01b60fc22bb4edb19d62d9899e953'
 */
export function findingConsoleUrl(region: string, findingId: string): string | undefined {
  const host = consoleHost(region);
  if (host === undefined || !/^[A-Za-z0-9_-]{1,300}$/.test(findingId)) return undefined;
  return `${host}/guardduty/home?region=${region}#/findings?macros=current&fId=${findingId}`;
}

const EXECUTION_ARN =
  /^arn:aws:states:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9_-]{1,80}$/;

/**
 * The Step Functions console's page of an execution, in the execution's own Region (Cordon's, which may not be
 * the incident's). The path is the console's, as its address bar shows it; AWS documents the Regional console
 * host (https://docs.aws.amazon.com/general/latest/gr/mgmt-console.html), not this path.
 *
 * @example executionConsoleUrl('arn:aws:states:us-east-1:111122223333:execution:cordon-prod-ec2-compromise:guardduty-1')
 * // 'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/arn:aws:states:…'
 */
export function executionConsoleUrl(executionArn: string): string | undefined {
  const region = EXECUTION_ARN.exec(executionArn)?.[1];
  const host = region === undefined ? undefined : consoleHost(region);
  if (host === undefined) return undefined;
  return `${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/**
 * The time left until `expiresAt`, in words a person reads at a glance: `59 min`, `1 h 05 min`, `2 days 3 h`,
 * or `expired`.
 *
 * @example timeLeft(new Date('2026-11-28T10:00:00Z'), '2026-11-28T10:59:30Z') // '59 min'
 */
export function timeLeft(now: Date, expiresAt: string): string {
  const seconds = Math.floor((Date.parse(expiresAt) - now.getTime()) / 1000);
  if (!Number.isFinite(seconds) || seconds <= 0) return 'expired';
  if (seconds < 60) return 'less than a minute';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}
