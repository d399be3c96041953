/**
 * The values of EventBridge patterns that have their own syntax: wildcards (event-ruler's rules) and CIDR blocks
 * (IPv4 and IPv6), parsed for validation and for matching (pattern.ts, pattern-validate.ts).
 */
import { InvalidEventPatternError } from '../errors.ts';
import type { NonEmptyArray } from './pattern.ts';

// ---------------------------------------------------------------------------------------------------------------
// Wildcards
// ---------------------------------------------------------------------------------------------------------------

/** A wildcard as the literal text between its stars: `a*b*c` is ['a', 'b', 'c']; no star is one segment. */
type CompiledWildcard = NonEmptyArray<string>;

/**
 * Event-ruler's documented rules: any number of `*`, never two in a row; `\*` is a literal star and `\\` a
 * literal backslash; a backslash before anything else is refused.
 */
export function parseWildcard(wildcard: string, path: string): CompiledWildcard {
  const segments: string[] = [];
  let current = '';
  let previousWasStar = false;
  for (let index = 0; index < wildcard.length; index += 1) {
    const character = wildcard.charAt(index);
    if (character === '\\') {
      const escaped = wildcard.charAt(index + 1);
      if (escaped !== '*' && escaped !== '\\') {
        throw new InvalidEventPatternError(path, `a backslash may only escape "*" or "\\" in "${wildcard}"`);
      }
      current += escaped;
      index += 1;
      previousWasStar = false;
    } else if (character === '*') {
      if (previousWasStar) {
        throw new InvalidEventPatternError(
          path,
          `consecutive wildcard characters are not allowed in "${wildcard}"`,
        );
      }
      segments.push(current);
      current = '';
      previousWasStar = true;
    } else {
      current += character;
      previousWasStar = false;
    }
  }
  const [first, ...rest] = [...segments, current];
  return first === undefined ? [current] : [first, ...rest];
}

export function wildcardMatches(segments: CompiledWildcard, value: string): boolean {
  const [first, ...rest] = segments;
  const last = rest.pop();
  if (last === undefined) {
    return value === first;
  }
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) {
    return false;
  }
  // Stars match anything, so taking each middle segment at its earliest place never loses a match.
  const end = value.length - last.length;
  let position = first.length;
  for (const segment of rest) {
    const found = value.indexOf(segment, position);
    if (found === -1 || found + segment.length > end) {
      return false;
    }
    position = found + segment.length;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// IP addresses
// ---------------------------------------------------------------------------------------------------------------

interface IpAddress {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

interface Network extends IpAddress {
  readonly prefixLength: number;
}

export function cidrContains(cidr: string, candidate: string): boolean {
  const network = parseCidr(cidr);
  const address = parseIpAddress(candidate);
  if (network === undefined || address === undefined || address.bits !== network.bits) {
    return false;
  }
  const hostBits = BigInt(network.bits - network.prefixLength);
  return address.value >> hostBits === network.value >> hostBits;
}

export function parseCidr(cidr: string): Network | undefined {
  const parts = cidr.split('/');
  const [address, length] = parts;
  if (parts.length !== 2 || address === undefined || length === undefined || !/^\d{1,3}$/.test(length)) {
    return undefined;
  }
  const parsed = parseIpAddress(address);
  const prefixLength = Number(length);
  if (parsed === undefined || prefixLength > parsed.bits) {
    return undefined;
  }
  return { ...parsed, prefixLength };
}

function parseIpAddress(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { bits: 128, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { bits: 32, value };
}

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) {
    return undefined;
  }
  let value = 0n;
  for (const octet of octets) {
    // No leading zeros: "010" reads as octal in some tools and as decimal in others.
    if (!/^(0|[1-9]\d{0,2})$/.test(octet) || Number(octet) > 255) {
      return undefined;
    }
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) {
    return undefined;
  }
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) {
    return undefined;
  }
  const groups = [...head, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => 0), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** 16-bit groups of one side of `::`; a trailing dotted IPv4 address counts as two groups. */
function groupsOf(side: string): number[] | undefined {
  if (side === '') {
    return [];
  }
  const parts = side.split(':');
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIpv4(part);
      if (ipv4 === undefined) {
        return undefined;
      }
      groups.push(Number(ipv4 >> 16n), Number(ipv4 & 0xffffn));
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}
