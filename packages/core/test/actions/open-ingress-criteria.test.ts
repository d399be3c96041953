import { describe, expect, it } from 'vitest';
import {
  criteriaFor,
  judge,
  type OpenIngressCriteria,
  openToTheWorld,
  parsePortList,
} from '../../src/actions/open-ingress-criteria.ts';
import type { RecordedRule } from '../../src/actions/security-group-rule-records.ts';
import type { TargetRule } from '../../src/playbooks/target-kinds.ts';

const rule = (
  identifier: string,
  parameters: Record<string, string> = {},
  parametersKnown = true,
): TargetRule => ({
  identifier,
  name: `${identifier.toLowerCase()}-conformance-pack-k3lqt8bvs`,
  parameters,
  parametersKnown,
});
const SSH = rule('INCOMING_SSH_DISABLED');

function world(protocol: string, fromPort?: number, toPort?: number): RecordedRule {
  return {
    ruleId: 'sgr-1',
    direction: 'ingress',
    protocol,
    fromPort,
    toPort,
    peer: { kind: 'ipv4', value: '0.0.0.0/0' },
  };
}

const forbidding = (
  tcp: Array<[number, number]>,
  udp: Array<[number, number]> = [],
): OpenIngressCriteria => ({
  forbidden: {
    tcp: tcp.map(([from, to]) => ({ from, to })),
    udp: udp.map(([from, to]) => ({ from, to })),
  },
  description: 'test',
});

describe('criteriaFor', () => {
  it('forbids TCP 22 for restricted-ssh, whether or not its parameters could be read', () => {
    expect(criteriaFor(rule('INCOMING_SSH_DISABLED', {}, false))).toEqual({
      forbidden: { tcp: [{ from: 22, to: 22 }], udp: [] },
      description: 'TCP 22',
    });
  });

  it("forbids restricted-common-ports' documented defaults when the rule names no port", () => {
    expect(criteriaFor(rule('RESTRICTED_INCOMING_TRAFFIC'))).toEqual({
      forbidden: {
        tcp: [20, 21, 3389, 3306, 4333].map((number) => ({ from: number, to: number })),
        udp: [],
      },
      description: 'TCP 20, 21, 3389, 3306, 4333',
    });
  });

  it('forbids exactly the ports restricted-common-ports names, blockedPort1–5 and blockedPorts together', () => {
    const criteria = criteriaFor(
      rule('RESTRICTED_INCOMING_TRAFFIC', {
        blockedPort1: ' 3389 ',
        blockedPort5: '22',
        blockedPort6: '80',
        myblockedPort1: '81',
        blockedPort1x: '82',
        blockedPorts: '8080-8081',
      }),
    );
    expect(criteria.forbidden.tcp).toEqual([
      { from: 3389, to: 3389 },
      { from: 22, to: 22 },
      { from: 8080, to: 8081 },
    ]);
    expect(criteria.description).toBe('TCP 3389, 22, 8080-8081');
  });

  it('takes blockedPorts alone as the whole list', () => {
    expect(criteriaFor(rule('RESTRICTED_INCOMING_TRAFFIC', { blockedPorts: '25' })).description).toBe(
      'TCP 25',
    );
  });

  it('refuses a blocked port that is not one, naming the parameter and saying nothing was changed', () => {
    expect(() => criteriaFor(rule('RESTRICTED_INCOMING_TRAFFIC', { blockedPort2: 'rdp' }))).toThrow(
      expect.objectContaining({
        name: 'ActionFailedError',
        message:
          'Config rule restricted_incoming_traffic-conformance-pack-k3lqt8bvs: parameter blockedPort2 "rdp" is not a list of ports; nothing was changed.',
      }),
    );
  });

  it.each(['RESTRICTED_INCOMING_TRAFFIC', 'VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS'])(
    'refuses to guess the ports of %s when its parameters could not be read',
    (identifier) => {
      expect(() => criteriaFor(rule(identifier, {}, false))).toThrow(
        expect.objectContaining({
          name: 'ActionFailedError',
          message: `Config rule ${identifier.toLowerCase()}-conformance-pack-k3lqt8bvs could not be read (DescribeConfigRules), so its parameters — which ports it forbids — are unknown: Cordon does not guess them; nothing was changed.`,
        }),
      );
    },
  );

  it('forbids every TCP and UDP port the authorized-ports rule does not authorize', () => {
    const criteria = criteriaFor(
      rule('VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS', {
        authorizedTcpPorts: '1020-1025, 443, 1000-1030, 1031',
        authorizedUdpPorts: '0-52,54-65535',
      }),
    );
    expect(criteria.forbidden).toEqual({
      tcp: [
        { from: 0, to: 442 },
        { from: 444, to: 999 },
        { from: 1032, to: 65_535 },
      ],
      udp: [{ from: 53, to: 53 }],
    });
    expect(criteria.description).toBe(
      'TCP and UDP ports other than the authorized (TCP 1020-1025, 443, 1000-1030, 1031 and UDP 0-52, 54-65535)',
    );
  });

  it('forbids every port when the authorized-ports rule authorizes none, and none when it authorizes all', () => {
    const none = criteriaFor(rule('VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS'));
    expect(none.forbidden).toEqual({ tcp: [{ from: 0, to: 65_535 }], udp: [{ from: 0, to: 65_535 }] });
    expect(none.description).toBe(
      'TCP and UDP ports other than the authorized (no TCP port and no UDP port)',
    );
    const all = criteriaFor(
      rule('VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS', {
        authorizedTcpPorts: '0-65535',
        authorizedUdpPorts: '0-65535',
      }),
    );
    expect(all.forbidden).toEqual({ tcp: [], udp: [] });
  });

  it('refuses a rule it does not know, naming the rules it knows', () => {
    expect(() => criteriaFor(rule('S3_BUCKET_PUBLIC_READ_PROHIBITED'))).toThrow(
      'revoke-open-ingress does not know the Config rule S3_BUCKET_PUBLIC_READ_PROHIBITED (s3_bucket_public_read_prohibited-conformance-pack-k3lqt8bvs): it judges INCOMING_SSH_DISABLED, RESTRICTED_INCOMING_TRAFFIC, VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS; nothing was changed.',
    );
  });
});

describe('parsePortList', () => {
  it('skips empty items, and reads a range of one port and the highest port', () => {
    expect(parsePortList(SSH, 'p', ' 443 ,, 20 - 20, 65535,')).toEqual([
      { from: 443, to: 443 },
      { from: 20, to: 20 },
      { from: 65_535, to: 65_535 },
    ]);
    expect(parsePortList(SSH, 'p', '')).toEqual([]);
  });

  it.each([
    ['1-2-3', 'is not a list of ports'],
    ['-5', 'is not a list of ports'],
    ['5-', 'is not a list of ports'],
    ['100000', 'is not a list of ports'],
    ['8o', 'is not a list of ports'],
    ['x80', 'is not a list of ports'],
    ['65536', 'names a port above 65535'],
    ['1-65536', 'names a port above 65535'],
    ['80-79', 'has a range that ends before it starts (80-79)'],
  ])('refuses %j: it %s', (value, why) => {
    expect(() => parsePortList(SSH, 'authorizedTcpPorts', value)).toThrow(
      `Config rule incoming_ssh_disabled-conformance-pack-k3lqt8bvs: parameter authorizedTcpPorts ${JSON.stringify(value)} ${why}; nothing was changed.`,
    );
  });
});

describe('openToTheWorld', () => {
  it('is a peer of exactly 0.0.0.0/0 or ::/0, each of its own kind', () => {
    const peer = (kind: RecordedRule['peer']['kind'], value: string) =>
      openToTheWorld({ peer: { kind, value } });
    expect(peer('ipv4', '0.0.0.0/0')).toBe(true);
    expect(peer('ipv6', '::/0')).toBe(true);
    expect(peer('ipv4', '0.0.0.0/1')).toBe(false);
    expect(peer('ipv6', '::/1')).toBe(false);
    expect(peer('ipv4', '::/0')).toBe(false);
    expect(peer('ipv6', '0.0.0.0/0')).toBe(false);
    expect(peer('prefixList', '0.0.0.0/0')).toBe(false);
  });
});

describe('judge', () => {
  it('finds an outbound or a non-world rule fine whatever it opens', () => {
    expect(judge({ ...world('-1'), direction: 'egress' }, forbidding([[0, 65_535]]))).toBe('fine');
    expect(
      judge({ ...world('tcp', 22, 22), peer: { kind: 'ipv4', value: '10.0.0.0/8' } }, forbidding([[22, 22]])),
    ).toBe('fine');
    expect(
      judge({ ...world('tcp', 22, 22), peer: { kind: 'ipv6', value: '::/0' } }, forbidding([[22, 22]])),
    ).toBe('confined');
  });

  it('finds an all-traffic rule wider when any TCP or UDP port is forbidden, and fine when none is', () => {
    expect(judge(world('-1'), forbidding([[22, 22]]))).toBe('wider');
    expect(judge(world('-1'), forbidding([], [[53, 53]]))).toBe('wider');
    expect(judge(world('-1'), forbidding([]))).toBe('fine');
  });

  it('judges UDP by the UDP ports and TCP by the TCP ports', () => {
    expect(judge(world('udp', 53, 53), forbidding([[53, 53]]))).toBe('fine');
    expect(judge(world('udp', 53, 53), forbidding([], [[53, 53]]))).toBe('confined');
    expect(judge(world('tcp', 53, 53), forbidding([], [[53, 53]]))).toBe('fine');
  });

  it('takes a rule without ports as opening every port', () => {
    expect(judge(world('tcp'), forbidding([[0, 65_535]]))).toBe('confined');
    expect(judge(world('tcp'), forbidding([[22, 22]]))).toBe('wider');
  });

  it.each([
    [
      [20, 25],
      [
        [20, 21],
        [22, 25],
      ],
      'confined',
    ],
    [
      [20, 25],
      [
        [22, 25],
        [20, 21],
      ],
      'confined',
    ],
    [[20, 25], [[20, 30]], 'confined'],
    [
      [20, 25],
      [
        [20, 21],
        [23, 25],
      ],
      'wider',
    ],
    [[20, 25], [[21, 25]], 'wider'],
    [[20, 25], [[20, 24]], 'wider'],
    [
      [20, 25],
      [
        [10, 21],
        [15, 20],
        [23, 26],
      ],
      'wider',
    ],
    [
      [20, 25],
      // A range inside one already counted does not take the count back.
      [
        [10, 22],
        [15, 20],
        [23, 26],
      ],
      'confined',
    ],
    [[21, 21], [[20, 21]], 'confined'],
    [[25, 30], [[20, 25]], 'wider'],
    [[26, 30], [[20, 25]], 'fine'],
    [[10, 19], [[20, 25]], 'fine'],
  ] as Array<[[number, number], Array<[number, number]>, string]>)(
    'judges TCP %j against forbidden %j as %s',
    ([from, to], forbidden, expected) => {
      expect(judge(world('tcp', from, to), forbidding(forbidden))).toBe(expected);
    },
  );
});
