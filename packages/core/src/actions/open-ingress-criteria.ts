/**
 * Which inbound rules of a security group an AWS Config rule judges offending, as the rule's page in the AWS
 * Config Developer Guide words it — every one of them about rules open to the whole internet (a peer of
 * exactly `0.0.0.0/0` or `::/0`):
 *
 * - `INCOMING_SSH_DISABLED` (restricted-ssh): incoming SSH, TCP port 22
 *   (https://docs.aws.amazon.com/config/latest/developerguide/restricted-ssh.html);
 * - `RESTRICTED_INCOMING_TRAFFIC` (restricted-common-ports): incoming TCP to the blocked ports, `blockedPort1`–`5`
 *   (defaults 20, 21, 3389, 3306, 4333) or `blockedPorts` (a list)
 *   (https://docs.aws.amazon.com/config/latest/developerguide/restricted-common-ports.html);
 * - `VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS`: TCP and UDP ports other than `authorizedTcpPorts` /
 *   `authorizedUdpPorts` (`443,1020-1025`; no default: nothing is authorized)
 *   (https://docs.aws.amazon.com/config/latest/developerguide/vpc-sg-open-only-to-authorized-ports.html).
 *
 * A rule of protocol `-1` (all traffic) opens every port, so it offends whenever any port is forbidden. An
 * offending rule is **confined** when everything it opens is forbidden (a world-open TCP 22 for SSH), and
 * **wider** when it also opens what the Config rule allows (TCP 0–65535, all traffic): revoking a wider rule
 * removes more than the offence, so `revoke-open-ingress` revokes it only after a person approved the run.
 */
import { ActionFailedError } from '../errors.ts';
import type { TargetRule } from '../playbooks/target-kinds.ts';
import type { RecordedRule } from './security-group-rule-records.ts';

/** An inclusive range of ports. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** What a Config rule forbids to the world, per protocol, and how a person reads it. */
export interface OpenIngressCriteria {
  readonly forbidden: { readonly tcp: readonly PortRange[]; readonly udp: readonly PortRange[] };
  /** `TCP 22`, `TCP 20, 21, 3389, 3306, 4333`, `TCP and UDP ports other than TCP 443`. */
  readonly description: string;
}

const ALL_PORTS: PortRange = { from: 0, to: 65_535 };

/** The rules whose criteria `revoke-open-ingress` knows. */
export const OPEN_INGRESS_RULES = [
  'INCOMING_SSH_DISABLED',
  'RESTRICTED_INCOMING_TRAFFIC',
  'VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS',
] as const;

function badParameter(rule: TargetRule, name: string, value: string, why: string): ActionFailedError {
  return new ActionFailedError(
    `Config rule ${rule.name}: parameter ${name} ${JSON.stringify(value)} ${why}; nothing was changed.`,
  );
}

function port(rule: TargetRule, name: string, text: string, value: string): number {
  if (!/^\d{1,5}$/.test(text)) throw badParameter(rule, name, value, 'is not a list of ports');
  const number = Number(text);
  if (number > 65_535) throw badParameter(rule, name, value, 'names a port above 65535');
  return number;
}

/**
 * A port list as the rules take it: `443,1020-1025` (spaces allowed), each port 0–65535.
 *
 * @throws ActionFailedError naming the parameter when the list is not one.
 * @example parsePortList(rule, 'authorizedTcpPorts', '443, 1020-1025') // [{ from: 443, to: 443 }, { from: 1020, to: 1025 }]
 */
export function parsePortList(rule: TargetRule, name: string, value: string): PortRange[] {
  const ranges: PortRange[] = [];
  for (const part of value.split(',').map((item) => item.trim())) {
    if (part === '') continue;
    const [first, second, ...rest] = part.split('-').map((item) => item.trim());
    if (first === undefined || rest.length > 0)
      throw badParameter(rule, name, value, 'is not a list of ports');
    const from = port(rule, name, first, value);
    const to = second === undefined ? from : port(rule, name, second, value);
    if (to < from) throw badParameter(rule, name, value, `has a range that ends before it starts (${part})`);
    ranges.push({ from, to });
  }
  return ranges;
}

/** The ports of 0–65535 outside `allowed`. */
function complement(allowed: readonly PortRange[]): PortRange[] {
  const sorted = [...allowed].sort((a, b) => a.from - b.from);
  const gaps: PortRange[] = [];
  let next = ALL_PORTS.from;
  for (const range of sorted) {
    if (range.from > next) gaps.push({ from: next, to: range.from - 1 });
    next = Math.max(next, range.to + 1);
  }
  if (next <= ALL_PORTS.to) gaps.push({ from: next, to: ALL_PORTS.to });
  return gaps;
}

function listed(ranges: readonly PortRange[]): string {
  return ranges
    .map((range) => (range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`))
    .join(', ');
}

/** A rule's parameters must have been read (DescribeConfigRules) when they decide which ports are forbidden. */
function requireParameters(rule: TargetRule): void {
  if (!rule.parametersKnown) {
    throw new ActionFailedError(
      `Config rule ${rule.name} could not be read (DescribeConfigRules), so its parameters — which ports it forbids — are unknown: Cordon does not guess them; nothing was changed.`,
    );
  }
}

/**
 * What the rule that judged the group forbids to the world.
 *
 * @throws ActionFailedError for a rule `revoke-open-ingress` does not know, parameters it could not read or
 *   parameters that are not port lists — before anything changes.
 * @example criteriaFor({ identifier: 'INCOMING_SSH_DISABLED', name: 'restricted-ssh', parameters: {}, parametersKnown: false }).description // 'TCP 22'
 */
export function criteriaFor(rule: TargetRule): OpenIngressCriteria {
  if (rule.identifier === 'INCOMING_SSH_DISABLED') {
    return { forbidden: { tcp: [{ from: 22, to: 22 }], udp: [] }, description: 'TCP 22' };
  }
  if (rule.identifier === 'RESTRICTED_INCOMING_TRAFFIC') {
    requireParameters(rule);
    const named = Object.entries(rule.parameters).filter(([name]) => /^blockedPort[1-5]$/.test(name));
    const list = rule.parameters.blockedPorts;
    // Only the ports the rule names explicitly; the documented defaults when it names none. Revoking fewer
    // ports than the rule checks leaves the group non-compliant (Config says so again); revoking ports the rule
    // does not name would cut what nobody asked to cut.
    const ports: PortRange[] = [
      ...named.map(([name, value]) => {
        const number = port(rule, name, value.trim(), value);
        return { from: number, to: number };
      }),
      ...(list === undefined ? [] : parsePortList(rule, 'blockedPorts', list)),
    ];
    const blocked =
      named.length === 0 && list === undefined
        ? [20, 21, 3389, 3306, 4333].map((number) => ({ from: number, to: number }))
        : ports;
    return { forbidden: { tcp: blocked, udp: [] }, description: `TCP ${listed(blocked)}` };
  }
  if (rule.identifier === 'VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS') {
    requireParameters(rule);
    const tcp = parsePortList(rule, 'authorizedTcpPorts', rule.parameters.authorizedTcpPorts ?? '');
    const udp = parsePortList(rule, 'authorizedUdpPorts', rule.parameters.authorizedUdpPorts ?? '');
    const authorized = [
      tcp.length === 0 ? 'no TCP port' : `TCP ${listed(tcp)}`,
      udp.length === 0 ? 'no UDP port' : `UDP ${listed(udp)}`,
    ].join(' and ');
    return {
      forbidden: { tcp: complement(tcp), udp: complement(udp) },
      description: `TCP and UDP ports other than the authorized (${authorized})`,
    };
  }
  throw new ActionFailedError(
    `revoke-open-ingress does not know the Config rule ${rule.identifier} (${rule.name}): it judges ${OPEN_INGRESS_RULES.join(', ')}; nothing was changed.`,
  );
}

/** Whether a rule is open to the whole internet: a peer of exactly 0.0.0.0/0 or ::/0. */
export function openToTheWorld(rule: Pick<RecordedRule, 'peer'>): boolean {
  return (
    (rule.peer.kind === 'ipv4' && rule.peer.value === '0.0.0.0/0') ||
    (rule.peer.kind === 'ipv6' && rule.peer.value === '::/0')
  );
}

function overlaps(range: PortRange, ranges: readonly PortRange[]): boolean {
  return ranges.some((other) => other.from <= range.to && range.from <= other.to);
}

/** Whether every port of `range` is in `ranges` (which may touch each other). */
function within(range: PortRange, ranges: readonly PortRange[]): boolean {
  let next = range.from;
  for (const other of [...ranges].sort((a, b) => a.from - b.from)) {
    if (other.from > next) break;
    if (other.to >= next) next = other.to + 1;
    if (next > range.to) return true;
  }
  return next > range.to;
}

/** How a Config rule judges one inbound rule of the group. */
export type Judgement = 'fine' | 'confined' | 'wider';

/**
 * How the criteria judge one rule: `fine` (not open to the world, outbound, or opening nothing forbidden),
 * `confined` (everything it opens is forbidden) or `wider` (it opens something forbidden and more).
 *
 * @example judge({ direction: 'ingress', protocol: 'tcp', fromPort: 22, toPort: 22, peer: { kind: 'ipv4', value: '0.0.0.0/0' } }, ssh) // 'confined'
 */
export function judge(rule: RecordedRule, criteria: OpenIngressCriteria): Judgement {
  if (rule.direction !== 'ingress' || !openToTheWorld(rule)) return 'fine';
  const { tcp, udp } = criteria.forbidden;
  if (rule.protocol === '-1') return tcp.length > 0 || udp.length > 0 ? 'wider' : 'fine';
  if (rule.protocol !== 'tcp' && rule.protocol !== 'udp') return 'fine';
  const forbidden = rule.protocol === 'tcp' ? tcp : udp;
  const range = { from: rule.fromPort ?? ALL_PORTS.from, to: rule.toPort ?? ALL_PORTS.to };
  if (!overlaps(range, forbidden)) return 'fine';
  return within(range, forbidden) ? 'confined' : 'wider';
}
