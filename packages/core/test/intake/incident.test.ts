import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INCIDENT_SOURCES, makeIncidentId, severityLabel } from '../../src/intake/incident.ts';

describe('severityLabel', () => {
  it.each([
    [0, 'low'],
    [1.0, 'low'],
    [3.9, 'low'],
    [4.0, 'medium'],
    [6.9, 'medium'],
    [7.0, 'high'],
    [8.9, 'high'],
    [9.0, 'critical'],
    [10, 'critical'],
  ])('labels GuardDuty severity %s as %s (DOMAIN.md item 4)', (score, label) => {
    expect(severityLabel(score)).toBe(label);
  });
});

describe('makeIncidentId', () => {
  it('keeps a finding id readable', () => {
    expect(makeIncidentId('guardduty', '123456789012', 'us-east-1', 'b4b01b60fc24a199139f8f5f490edd81')).toBe(
      'guardduty-123456789012-us-east-1-b4b01b60fc24a199139f8f5f490edd81',
    );
  });

  it('hashes a native id that is not a valid execution name, stably', () => {
    const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:Root usage@2026-01-01T00:00:00Z';
    const id = makeIncidentId('cloudwatch', '123456789012', 'us-east-1', arn);
    expect(id).toMatch(/^cloudwatch-123456789012-us-east-1-[0-9a-f]{24}$/);
    expect(makeIncidentId('cloudwatch', '123456789012', 'us-east-1', arn)).toBe(id);
  });

  it('always yields a valid Step Functions execution name (≤ 80 chars of [A-Za-z0-9_-])', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...INCIDENT_SOURCES),
        fc.string(),
        fc.string(),
        fc.string(),
        (source, account, region, native) => {
          const id = makeIncidentId(source, account, region, native);
          expect(id.length).toBeLessThanOrEqual(80);
          expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('separates different native ids', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 41 }), fc.string({ minLength: 41 }), (a, b) => {
        fc.pre(a !== b);
        expect(makeIncidentId('config', '1', 'r', a)).not.toBe(makeIncidentId('config', '1', 'r', b));
      }),
    );
  });
});

// Issue 18: the exact shape of an id made from odd parts, and which resources Cordon may act on.
describe('makeIncidentId parts', () => {
  it('replaces characters an execution name cannot hold with _ and keeps 16 of them per part', () => {
    expect(makeIncidentId('config', 'acct 1/2', 'us-east-1', 'rule')).toBe('config-acct_1_2-us-east-1-rule');
    expect(makeIncidentId('config', '123456789012345678901', 'region-with-a-long-name', 'rule')).toBe(
      'config-1234567890123456-region-with-a-lo-rule',
    );
  });
});
