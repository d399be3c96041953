import { intake } from '@cordon/core/intake/intake';
import { describe, expect, it } from 'vitest';
import { loadEvent } from '../../../test/support/events.ts';
import { rewriteEvent, sandboxForEvent } from '../src/seed-event.ts';

describe('sandboxForEvent', () => {
  it('rewrites the placeholders of a sample so that the event names what the sandbox holds', () => {
    const seeded = sandboxForEvent(
      loadEvent('guardduty/eb-pascalcase-root-credential-usage-placeholders.json'),
    );

    const received = intake(seeded.event);

    expect(received.accepted).toBe(true);
    const incident = received.accepted ? received.incident : undefined;
    expect(incident?.account).toBe(seeded.sandbox.account.accountId);
    expect(incident?.account).toMatch(/^\d{12}$/);
    // The account, also inside the finding's ARN.
    expect(JSON.stringify(seeded.event)).not.toContain('1234567891234');
    expect(seeded.substitutions).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'account', from: '1234567891234' })]),
    );
  });

  it('leaves a real event’s ids alone and seeds what it names', () => {
    const event = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');

    const seeded = sandboxForEvent(event);

    expect(seeded.event).toEqual(event);
    expect(seeded.sandbox.ec2.hasInstance('i-99999999')).toBe(true);
  });

  it('seeds nothing for an event the intake rejects, and keeps it as it is', () => {
    const event = loadEvent('config/custom-rule-invocation-scheduled-powertools.json');

    const seeded = sandboxForEvent(event);

    expect(seeded).toMatchObject({ event, incident: undefined, substitutions: [] });
    expect(seeded.sandbox.ec2.snapshot().instances).toEqual({});
  });
});

describe('rewriteEvent', () => {
  it('replaces whole values, and accounts inside ARNs, never keys or parts of other values', () => {
    const event = {
      account: '1234567891234',
      detail: {
        arn: 'arn:aws:guardduty:us-east-1:1234567891234:detector/x',
        note: 'account 1234567891234',
        '1234567891234': 'key',
        key: 'AKIA_PLACEHOLDER',
      },
    };

    const rewritten = rewriteEvent(event, [
      { kind: 'account', from: '1234567891234', to: '052441398014' },
      { kind: 'access-key', from: 'AKIA_PLACEHOLDER', to: 'AKIA0000000000000001' },
    ]);

    expect(rewritten).toEqual({
      account: '052441398014',
      detail: {
        arn: 'arn:aws:guardduty:us-east-1:052441398014:detector/x',
        note: 'account 1234567891234',
        '1234567891234': 'key',
        key: 'AKIA0000000000000001',
      },
    });
  });
});
