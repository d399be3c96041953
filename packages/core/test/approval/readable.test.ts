import { describe, expect, it } from 'vitest';
import {
  evidenceLines,
  executionConsoleUrl,
  findingConsoleUrl,
  namedResources,
  stepWords,
  timeLeft,
} from '../../src/approval/readable.ts';
import { STEP_WORDS } from '../../src/approval/step-words.generated.ts';
import { stepWordsFromCatalog } from '../../src/approval/step-words-source.ts';
import { STEP_IDS } from '../../src/playbooks/ids.ts';

describe('step words: one source, the action catalog', () => {
  it('every step a playbook can ask approval for has words (request-approval is the asking itself)', () => {
    // Act
    const missing = STEP_IDS.filter((step) => step !== 'request-approval' && stepWords(step) === undefined);

    // Assess
    expect(missing).toEqual([]);
  });

  it('the generated table is the catalog’s summaries, word for word (run `npm run docs:step-words` when not)', () => {
    // Assess
    expect(STEP_WORDS).toEqual(stepWordsFromCatalog());
    expect(stepWords('revoke-sessions')).toMatch(/denying every session issued before now/);
  });

  it('knows no step by a name inherited from Object', () => {
    // Assess
    expect(stepWords('constructor')).toBeUndefined();
    expect(stepWords('__proto__')).toBeUndefined();
  });
});

describe('namedResources', () => {
  it('names an instance by its Name tag, a key by its user, a role by its name, besides their ids', () => {
    // Act
    const named = namedResources([
      { kind: 'ec2-instance', instanceId: 'i-0abc1234def567890', tags: { Name: 'checkout-web-3' } },
      { kind: 'access-key', accessKeyId: 'AKIAEXAMPLE', userName: 'deploy-bot' },
      { kind: 'iam-role', roleName: 'ci-runner', arn: 'arn:aws:iam::123456789012:role/ci-runner' },
      { kind: 'iam-user', userName: 'alice' },
      'garbage',
    ]);

    // Assess
    expect(named).toEqual([
      { kind: 'ec2-instance', id: 'i-0abc1234def567890', name: 'checkout-web-3' },
      { kind: 'access-key', id: 'AKIAEXAMPLE', name: 'deploy-bot' },
      { kind: 'iam-role', id: 'arn:aws:iam::123456789012:role/ci-runner', name: 'ci-runner' },
      { kind: 'iam-user', id: 'alice' },
      { id: 'unnamed' },
    ]);
  });
});

describe('evidenceLines', () => {
  it('says what, from where, how often and when, in that order', () => {
    // Act
    const lines = evidenceLines({
      api: 'ListBuckets',
      service: 's3.amazonaws.com',
      errorCode: 'AccessDenied',
      remote: {
        ip: '198.51.100.7',
        city: 'Frankfurt am Main',
        country: 'Germany',
        asn: '3320',
        asnOrg: 'Deutsche Telekom AG',
      },
      count: 1234,
      firstSeen: '2026-11-28T09:40:00.000Z',
      lastSeen: '2026-11-28T09:58:00.000Z',
    });

    // Assess
    expect(lines).toEqual([
      { label: 'API called', text: 'ListBuckets (s3.amazonaws.com) — answered AccessDenied' },
      { label: 'From', text: '198.51.100.7 — Frankfurt am Main, Germany — AS3320 Deutsche Telekom AG' },
      { label: 'Seen', text: '1,234 times' },
      { label: 'First seen', text: '2026-11-28T09:40:00.000Z' },
      { label: 'Last seen', text: '2026-11-28T09:58:00.000Z' },
    ]);
  });

  it('describes a connection and a DNS request', () => {
    // Assess
    expect(
      evidenceLines({
        actionType: 'NETWORK_CONNECTION',
        direction: 'INBOUND',
        protocol: 'TCP',
        localPort: 22,
        count: 1,
      }),
    ).toEqual([
      { label: 'Connection', text: 'inbound TCP connection on port 22' },
      { label: 'Seen', text: 'once' },
    ]);
    expect(evidenceLines({ actionType: 'DNS_REQUEST', domain: 'pool.example.com' })).toEqual([
      { label: 'Domain asked', text: 'pool.example.com' },
    ]);
    expect(evidenceLines(undefined)).toEqual([]);
  });
});

describe('console links', () => {
  it('link a finding in its own Region, in the form GuardDuty’s guide gives', () => {
    // Assess
    expect(findingConsoleUrl('eu-central-1', '36b01b60fc22bb4edb19d62d9899e953')).toBe(
      'https://eu-central-1.console.aws.amazon.com/guardduty/home?region=eu-central-1#/findings?macros=current&fId=36b01b60fc22bb4edb19d62d9899e953',
    );
  });

  it('link an execution in the execution’s Region, which may not be the incident’s', () => {
    // Prepare
    const arn = 'arn:aws:states:us-west-2:111122223333:execution:cordon-prod-ec2-compromise:guardduty-1';

    // Assess
    expect(executionConsoleUrl(arn)).toBe(
      `https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/${arn}`,
    );
  });

  it('make no link rather than a wrong one: other partitions, a local run, ids that are not ids', () => {
    // Assess
    expect(findingConsoleUrl('cn-north-1', 'abc')).toBeUndefined();
    expect(findingConsoleUrl('us-gov-west-1', 'abc')).toBeUndefined();
    expect(findingConsoleUrl('us-east-1', 'abc&fId=evil')).toBeUndefined();
    expect(findingConsoleUrl('javascript:alert(1)//', 'abc')).toBeUndefined();
    expect(executionConsoleUrl('arn:aws:states:local:000000000000:execution:cordon-local:x')).toBeUndefined();
    expect(executionConsoleUrl('arn:aws-cn:states:cn-north-1:111122223333:execution:m:x')).toBeUndefined();
    expect(
      executionConsoleUrl('arn:aws:states:us-east-1:111122223333:execution:m:x#<script>'),
    ).toBeUndefined();
  });
});

describe('timeLeft', () => {
  it('reads at a glance', () => {
    // Prepare
    const now = new Date('2026-11-28T10:00:00.000Z');

    // Assess
    expect(timeLeft(now, '2026-11-28T10:59:30.000Z')).toBe('59 min');
    expect(timeLeft(now, '2026-11-28T11:05:00.000Z')).toBe('1 h 05 min');
    expect(timeLeft(now, '2026-11-28T10:00:30.000Z')).toBe('less than a minute');
    expect(timeLeft(now, '2026-11-30T13:00:00.000Z')).toBe('2 days 3 h');
    expect(timeLeft(now, '2026-11-28T10:00:00.000Z')).toBe('expired');
    expect(timeLeft(now, 'not a time')).toBe('expired');
  });
});
