/**
 * The incident as people are told about it: the fields a notification, an approval request and the approval
 * page show, and the few ways of writing them that all three share (a resource's name, the severity, an
 * e-mail subject). Notify and approvals both read an incident through this one summary.
 */
import { INCIDENT_CATEGORIES, INCIDENT_SOURCES, SEVERITY_LABELS } from './intake/incident.ts';
import * as z from './zod.ts';

/**
 * The incident as a playbook passes it to notify and request-approval. Other fields of the full incident
 * (facts, notes, …) are dropped rather than refused, so that the playbook can hand over the whole incident.
 */
export const IncidentSummarySchema = z.object({
  id: z.string().check(z.minLength(1, 'must not be empty')),
  title: z.string().check(z.minLength(1, 'must not be empty')),
  category: z.enum(INCIDENT_CATEGORIES),
  severity: z.object({
    score: z.number().check(z.gte(0, 'must be between 0 and 10'), z.lte(10, 'must be between 0 and 10')),
    label: z.enum(SEVERITY_LABELS),
  }),
  source: z.enum(INCIDENT_SOURCES),
  account: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
  region: z.string().check(z.minLength(1, 'must not be empty')),
  resources: z.array(z.unknown()),
});
export type IncidentSummary = z.output<typeof IncidentSummarySchema>;

/**
 * The longest SNS subject Cordon writes. SNS wants no line breaks or control characters and a subject shorter
 * than 100 characters (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html); Cordon writes printable
 * ASCII only. (Kept at 100 as before: whether 100 itself is refused is not settled by the documentation.)
 */
export const MAX_SUBJECT_LENGTH = 100;

// Fields that name a resource, in the order a reader looks for them (Resource kinds of intake/incident.ts).
const RESOURCE_ID_FIELDS = [
  'instanceId',
  'accessKeyId',
  'userName',
  'roleName',
  'alarmName',
  'resourceId',
  'accountId',
] as const;

function resourceId(resource: unknown): string | undefined {
  if (resource === null || typeof resource !== 'object') return undefined;
  // Resources arrive as unknown JSON (the schema does not constrain them): read fields defensively.
  const fields = resource as Record<string, unknown>;
  for (const field of RESOURCE_ID_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** The id of the first resource that names one (an instance id, a key id, a user name, …). */
function firstResourceId(resources: readonly unknown[]): string | undefined {
  for (const resource of resources) {
    const id = resourceId(resource);
    if (id !== undefined) return id;
  }
  return undefined;
}

/** ` (+2)` when the incident names more resources than the one shown. */
function moreResources(resources: readonly unknown[]): string {
  return resources.length > 1 ? ` (+${resources.length - 1})` : '';
}

/**
 * A short name for the incident's resources: the first one's id, and how many more there are.
 *
 * @example resourceLabel([{ instanceId: 'i-0abc' }, { accessKeyId: 'AKIA…' }]) // 'i-0abc (+1)'
 */
export function resourceLabel(resources: readonly unknown[]): string | undefined {
  const first = firstResourceId(resources);
  return first === undefined ? undefined : `${first}${moreResources(resources)}`;
}

/**
 * Each resource as a reader looks for it: its kind, then the id (`ec2-instance i-0abc…`). Raw text from the
 * finding: escape it for where it goes.
 *
 * @example describeResources([{ kind: 'ec2-instance', instanceId: 'i-0abc' }, {}]) // ['ec2-instance i-0abc', 'unnamed']
 */
export function describeResources(resources: readonly unknown[]): string[] {
  return resources.map((resource) => {
    const kind =
      resource !== null && typeof resource === 'object'
        ? (resource as { kind?: unknown }).kind // resources are unknown JSON: read `kind` defensively
        : undefined;
    const id = resourceId(resource) ?? 'unnamed';
    return typeof kind === 'string' ? `${kind} ${id}` : id;
  });
}

/**
 * The severity as every message writes it.
 *
 * @example severityText({ score: 8, label: 'high' }) // 'HIGH (8.0)'
 */
export function severityText(severity: IncidentSummary['severity']): string {
  return `${severity.label.toUpperCase()} (${severity.score.toFixed(1)})`;
}

/**
 * Printable ASCII only, as an SNS subject requires: decomposed, accents drop off (é → e) and compatibility
 * forms become ASCII (… → ...); line breaks, controls and anything else become spaces. Text made ASCII like
 * this and then put into Slack is escaped afterwards (full-width `＜` becomes `<` here).
 *
 * @example printableAscii('évé\n…') // 'eve ...'
 */
export function printableAscii(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * Shortens plain text (an SNS subject or message) to `max` characters, ending with `...`.
 *
 * @example shortenText('AKIAXXXXXXXX', 8) // 'AKIAX...'
 */
export function shortenText(text: string, max: number, ellipsis = '...'): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - ellipsis.length))}${ellipsis}`;
}

/**
 * A subject a person reads in a mail client: `[Cordon] HIGH instance-compromise: i-0abc… contained`, at most
 * 100 printable ASCII characters. The resource (else the title) is shortened first, so the event always shows.
 *
 * @example summarySubject(incident, 'contained', false) // '[Cordon] HIGH instance-compromise: i-0abc1234def567890 contained'
 */
export function summarySubject(incident: IncidentSummary, event: string, dryRun: boolean): string {
  const prefix = `[Cordon${dryRun ? ' dry-run' : ''}] ${incident.severity.label.toUpperCase()} ${incident.category}:`;
  const phrase = printableAscii(event);
  const { resources } = incident;
  const first = firstResourceId(resources);
  // The id is shortened, never the count of other resources after it.
  const more = first === undefined ? '' : moreResources(resources);
  const subject = printableAscii(first ?? incident.title);
  const room = MAX_SUBJECT_LENGTH - prefix.length - phrase.length - more.length - 2;
  const full = room >= 4 ? `${prefix} ${shortenText(subject, room)}${more} ${phrase}` : `${prefix} ${phrase}`;
  return shortenText(full, MAX_SUBJECT_LENGTH);
}
