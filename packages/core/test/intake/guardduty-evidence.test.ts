import { describe, expect, it } from 'vitest';
import { loadEvent, loadEventWithAccount } from '../../../../test/support/events.ts';
import { guardDutyEvidence, remoteOf } from '../../src/intake/guardduty-evidence.ts';
import type { Incident } from '../../src/intake/incident.ts';
import { intake } from '../../src/intake/intake.ts';

function incidentOf(event: unknown): Incident {
  const result = intake(event);
  if (!result.accepted) throw new Error(`not accepted: ${result.reason}`);
  return result.incident;
}

describe('guardDutyEvidence: what GuardDuty saw, from the real events', () => {
  it('an API call from a Tor exit node: the API, its service, the address and where, count, first and last seen', () => {
    // Act
    const incident = incidentOf(loadEvent('guardduty/eb-iam-toripcaller-custodian.json'));

    // Assess
    expect(incident.evidence).toEqual({
      actionType: 'AWS_API_CALL',
      api: 'GeneratedFindingAPIName',
      service: 'GeneratedFindingAPIServiceName',
      callerType: 'Remote IP',
      remote: {
        ip: '198.51.100.0',
        country: 'United States',
        city: 'GeneratedFindingCityName',
        asn: '-1',
        asnOrg: 'GeneratedFindingASNOrg',
        isp: 'GeneratedFindingISP',
      },
      count: 1,
      firstSeen: '2017-12-08T15:32:49.000Z',
      lastSeen: '2017-12-08T15:32:49.000Z',
    });
  });

  it('an SSH brute force (PascalCase, as the SDK writes it): the inbound connection, its port, the count', () => {
    // Act
    const incident = incidentOf(
      loadEventWithAccount('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json'),
    );

    // Assess
    expect(incident.evidence).toMatchObject({
      actionType: 'NETWORK_CONNECTION',
      direction: 'INBOUND',
      protocol: 'TCP',
      localPort: 22,
      count: 2,
      firstSeen: '2025-08-22T01:40:09.000Z',
    });
    expect(incident.evidence?.remote?.city).toBe('GeneratedFindingCityName');
  });

  it('a DNS request to a C&C domain: the domain asked', () => {
    // Act
    const incident = incidentOf(loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json'));

    // Assess
    expect(incident.evidence).toMatchObject({ actionType: 'DNS_REQUEST', domain: 'example.com', count: 1 });
  });

  it('an AWS service calling on a principal’s behalf: the API and the caller’s domain', () => {
    // Act
    const incident = incidentOf(
      loadEvent('guardduty/raw-iam-privesc-administrative-permissions-no-resource-panther.json'),
    );

    // Assess
    expect(incident.evidence).toMatchObject({
      api: 'PutRolePolicy',
      service: 'iam.amazonaws.com',
      callerType: 'Domain',
      domain: 'cloudformation.amazonaws.com',
    });
  });

  it('leaves out what is missing or of another shape, never the finding', () => {
    // Act / Assess
    expect(guardDutyEvidence({ id: 'x' })).toBeUndefined();
    expect(
      guardDutyEvidence({ service: { count: -3, eventFirstSeen: 'not a time', action: [] } }),
    ).toBeUndefined();
    expect(
      guardDutyEvidence({
        service: { count: 4, action: { awsApiCallAction: { api: 42, remoteIpDetails: 'x' } } },
      }),
    ).toEqual({ count: 4 });
    expect(remoteOf({ organization: { asn: 3320.5 }, country: { countryCode: 'DE' } })).toEqual({
      country: 'DE',
    });
  });
});
