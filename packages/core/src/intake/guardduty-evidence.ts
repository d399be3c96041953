/**
 * The evidence a person reads before approving: what GuardDuty saw (the API called, the connection, the DNS
 * name, the port probed), from which address and where GuardDuty places it, how often, and when first and
 * last. Read from the finding's `service` (GuardDuty API Reference: `Service`, `Action`, `RemoteIpDetails`,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Service.html,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Action.html,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_RemoteIpDetails.html,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Organization.html).
 *
 * Every field is optional and read defensively: a part of the finding that is missing or not of its documented
 * type is left out, never the finding. The text is the finding's, attacker-influenced: escape it where it goes.
 */
import type { IncidentEvidence, RemoteEvidence } from './incident.ts';
import { toIsoTime } from './timestamps.ts';

/** The longest text kept of one field (a domain, an API name): the page shows evidence, not a dump. */
const MAX_TEXT = 256;

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, MAX_TEXT) : undefined;
}

/** `asn` is a String in the API reference, and a number (`-1`) in sample findings: both are read as text. */
function asnText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return text(value);
}

function port(value: unknown): number | undefined {
  const details = object(value);
  const number = details?.port;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0 && number <= 65_535
    ? number
    : undefined;
}

/** Drops the keys whose value is `undefined`, so that the incident's JSON holds only what the finding said. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Where GuardDuty places a remote address (`RemoteIpDetails`), or `undefined` when it names none.
 *
 * @example remoteOf({ ipAddressV4: '198.51.100.0', country: { countryName: 'United States' } }) // { ip: '198.51.100.0', country: 'United States' }
 */
export function remoteOf(input: unknown): RemoteEvidence | undefined {
  const details = object(input);
  if (details === undefined) return undefined;
  const organization = object(details.organization);
  const remote = defined<RemoteEvidence>({
    ip: text(details.ipAddressV4) ?? text(details.ipAddressV6),
    country: text(object(details.country)?.countryName) ?? text(object(details.country)?.countryCode),
    city: text(object(details.city)?.cityName),
    asn: asnText(organization?.asn),
    asnOrg: text(organization?.asnOrg),
    isp: text(organization?.isp),
  });
  return Object.keys(remote).length === 0 ? undefined : remote;
}

/** The action GuardDuty describes, by its `actionType` (API Reference, `Action`). */
function actionEvidence(action: Json): Partial<IncidentEvidence> {
  const api = object(action.awsApiCallAction);
  if (api !== undefined) {
    return {
      api: text(api.api),
      service: text(api.serviceName),
      callerType: text(api.callerType),
      errorCode: text(api.errorCode),
      remote: remoteOf(api.remoteIpDetails),
      domain: text(object(api.domainDetails)?.domain),
    };
  }
  const connection = object(action.networkConnectionAction);
  if (connection !== undefined) {
    return {
      direction: text(connection.connectionDirection),
      protocol: text(connection.protocol),
      remote: remoteOf(connection.remoteIpDetails),
      remotePort: port(connection.remotePortDetails),
      localPort: port(connection.localPortDetails),
    };
  }
  const dns = object(action.dnsRequestAction);
  if (dns !== undefined) return { domain: text(dns.domain), protocol: text(dns.protocol) };
  const probe = object(action.portProbeAction);
  if (probe !== undefined) {
    const first = Array.isArray(probe.portProbeDetails) ? object(probe.portProbeDetails[0]) : undefined;
    return { remote: remoteOf(first?.remoteIpDetails), localPort: port(first?.localPortDetails) };
  }
  const kubernetes = object(action.kubernetesApiCallAction);
  if (kubernetes !== undefined) {
    return { api: text(kubernetes.verb), remote: remoteOf(kubernetes.remoteIpDetails) };
  }
  const rds = object(action.rdsLoginAttemptAction);
  if (rds !== undefined) return { remote: remoteOf(rds.remoteIpDetails) };
  return {};
}

/**
 * The evidence of a (camelCase) GuardDuty finding, or `undefined` when the finding carries none of it.
 *
 * @example
 * guardDutyEvidence(event.detail)
 * // { actionType: 'AWS_API_CALL', api: 'ListBuckets', remote: { ip: '198.51.100.0', country: 'United States', … },
 * //   count: 3, firstSeen: '2026-11-28T09:40:00.000Z', lastSeen: '2026-11-28T09:58:00.000Z' }
 */
export function guardDutyEvidence(finding: unknown): IncidentEvidence | undefined {
  const service = object(object(finding)?.service);
  if (service === undefined) return undefined;
  const action = object(service.action);
  const count = service.count;
  const evidence = defined<IncidentEvidence>({
    actionType: text(action?.actionType),
    ...(action === undefined ? {} : actionEvidence(action)),
    count: typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : undefined,
    firstSeen: toIsoTime(service.eventFirstSeen),
    lastSeen: toIsoTime(service.eventLastSeen),
  });
  return Object.keys(evidence).length === 0 ? undefined : evidence;
}
