import 'aws-sdk-client-mock-vitest/extend';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import {
  GetParametersByPathCommand,
  type Parameter,
  type ParameterType,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { DEFAULT_SETTINGS } from '@cordon/core/policy/settings';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSettingsLoader } from '../src/settings.ts';

const ssm = mockClient(SSMClient);
const PATH = '/cordon/test/settings/';
const FAIL_CLOSED = { ...structuredClone(DEFAULT_SETTINGS), mode: 'notify-only' };

function parameter(name: string, value: string, type: ParameterType = 'String'): Parameter {
  return { Name: `${PATH}${name}`, Value: value, Type: type };
}

function newLoader(maxAgeSeconds?: number) {
  // A fresh provider per test: Powertools keeps its cache on the provider instance.
  const ssmProvider = new SSMProvider({ awsSdkV3Client: new SSMClient({ region: 'eu-west-1' }) });
  return createSettingsLoader({
    stage: 'test',
    ssmProvider,
    ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
  });
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client' });
}

beforeEach(() => {
  ssm.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('createSettingsLoader', () => {
  it('reads every parameter under the stage path in one recursive, decrypted call', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        parameter('mode', 'dry-run'),
        parameter('severity/auto-remediate-at', '8'),
        parameter('responder/external-id', 'org-7f3a', 'SecureString'),
      ],
    });

    // Act
    const result = await newLoader().load();

    // Assess
    expect(result).toEqual({
      ok: true,
      source: 'ssm',
      version: expect.stringMatching(/^[0-9a-f]{12}$/),
      settings: {
        ...DEFAULT_SETTINGS,
        mode: 'dry-run',
        severity: { ...DEFAULT_SETTINGS.severity, autoRemediateAt: 8 },
        responder: { ...DEFAULT_SETTINGS.responder, externalId: 'org-7f3a' },
      },
    });
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetParametersByPathCommand, {
      Path: PATH,
      Recursive: true,
      WithDecryption: true,
    });
  });

  it('follows NextToken until every page of parameters is read', async () => {
    // Prepare
    ssm
      .on(GetParametersByPathCommand)
      .resolves({ Parameters: [parameter('mode', 'enforce')], NextToken: 'page-2' })
      .on(GetParametersByPathCommand, { NextToken: 'page-2' })
      .resolves({ Parameters: [parameter('blast-radius/max-containments-per-account-per-hour', '2')] });

    // Act
    const result = await newLoader().load();

    // Assess
    expect(result.ok).toBe(true);
    expect(result.settings.blastRadius.maxContainmentsPerAccountPerHour).toBe(2);
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, 2);
    expect(ssm).toHaveReceivedNthCommandWith(GetParametersByPathCommand, 2, {
      Path: PATH,
      Recursive: true,
      WithDecryption: true,
      NextToken: 'page-2',
    });
  });

  it('reads SSM once for two loads within the TTL, and again once the TTL has passed', async () => {
    // Prepare
    // Powertools' cache compares `Date.now()` with an expiry computed from `new Date()`: faking Date is enough.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-06-01T12:00:00Z'));
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [parameter('mode', 'enforce')] })
      .resolves({ Parameters: [parameter('mode', 'dry-run')] });
    const loader = newLoader(60);

    // Act
    const first = await loader.load();
    vi.setSystemTime(new Date('2025-06-01T12:00:59Z'));
    const withinTtl = await loader.load();
    const callsWithinTtl = ssm.commandCalls(GetParametersByPathCommand).length;
    vi.setSystemTime(new Date('2025-06-01T12:01:01Z'));
    const afterTtl = await loader.load();

    // Assess
    expect(callsWithinTtl).toBe(1);
    expect(withinTtl).toEqual(first);
    expect(first.settings.mode).toBe('enforce');
    expect(afterTtl.settings.mode).toBe('dry-run');
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, 2);
  });

  it('keeps its time to live on the clock it is given (the local deployment moves its own), not the wall clock', async () => {
    // Prepare
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [parameter('mode', 'enforce')] })
      .resolves({ Parameters: [parameter('mode', 'dry-run')] });
    let now = Date.parse('2026-11-28T10:00:00Z');
    const loader = createSettingsLoader({
      stage: 'test',
      ssmProvider: new SSMProvider({ awsSdkV3Client: new SSMClient({ region: 'eu-west-1' }) }),
      now: () => new Date(now),
    });

    // Act
    const first = await loader.load();
    now += 59_000;
    const withinTtl = await loader.load();
    now += 2_000;
    const afterTtl = await loader.load();

    // Assess
    expect([first, withinTtl, afterTtl].map((result) => result.settings.mode)).toEqual([
      'enforce',
      'enforce',
      'dry-run',
    ]);
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, 2);
  });

  it('uses a 60-second TTL when none is given', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-06-01T12:00:00Z'));
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [parameter('mode', 'enforce')] });
    const loader = newLoader();

    // Act
    await loader.load();
    vi.setSystemTime(new Date('2025-06-01T12:00:50Z'));
    await loader.load();
    vi.setSystemTime(new Date('2025-06-01T12:01:10Z'));
    await loader.load();

    // Assess
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, 2);
  });

  it('fails closed, naming the AWS error, when SSM denies access', async () => {
    // Prepare
    ssm
      .on(GetParametersByPathCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform'));

    // Act
    const result = await newLoader().load();

    // Assess
    expect(result).toEqual({
      ok: false,
      source: 'ssm',
      settings: FAIL_CLOSED,
      version: expect.stringMatching(/^[0-9a-f]{12}$/),
      reason: `settings unavailable: reading ${PATH} from SSM failed (AccessDeniedException: not authorized to perform)`,
    });
  });

  it('fails closed when SSM throttles, and reads again on the next load rather than caching the failure', async () => {
    // Prepare
    ssm
      .on(GetParametersByPathCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves({ Parameters: [parameter('mode', 'enforce')] });
    const loader = newLoader();

    // Act
    const throttled = await loader.load();
    const recovered = await loader.load();

    // Assess
    expect(throttled).toMatchObject({ ok: false, reason: expect.stringContaining('ThrottlingException') });
    expect(throttled.settings.mode).toBe('notify-only');
    expect(recovered).toMatchObject({ ok: true, settings: { mode: 'enforce' } });
  });

  it('fails closed with "settings missing" when the path holds no parameters', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });

    // Act
    const result = await newLoader().load();

    // Assess
    expect(result).toMatchObject({
      ok: false,
      settings: FAIL_CLOSED,
      reason: `settings missing: no parameters under ${PATH}`,
    });
  });

  it('fails closed when the required mode parameter is absent, even if the rest is valid', async () => {
    // Prepare
    ssm
      .on(GetParametersByPathCommand)
      .resolves({ Parameters: [parameter('severity/auto-remediate-at', '8')] });

    // Act
    const result = await newLoader().load();

    // Assess
    expect(result).toMatchObject({
      ok: false,
      settings: FAIL_CLOSED,
      reason: `settings invalid under ${PATH}: mode: required parameter ${PATH}mode is missing`,
    });
  });

  it('fails closed on an invalid value, naming every problem', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [
        parameter('mode', 'enforce'),
        parameter('severity/auto-remediate-at', '11'),
        parameter('ledger-retention-days', 'a year'),
        parameter('blast-radius/per-hour', '3'),
      ],
    });

    // Act
    const result = await newLoader().load();

    // Assess
    expect(result).toMatchObject({
      ok: false,
      settings: FAIL_CLOSED,
      reason:
        `settings invalid under ${PATH}: blast-radius/per-hour: unknown settings parameter; ` +
        'ledger-retention-days: "a year" is not a number; severity.autoRemediateAt: must be between 0 and 10',
    });
  });

  it('fails closed without calling SSM when the stage cannot be part of a path', async () => {
    // Prepare
    const ssmProvider = new SSMProvider({ awsSdkV3Client: new SSMClient({ region: 'eu-west-1' }) });

    // Act
    const result = await createSettingsLoader({ stage: '../prod', ssmProvider }).load();

    // Assess
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('SettingsStageInvalidError') });
    expect(ssm).not.toHaveReceivedCommand(GetParametersByPathCommand);
  });

  it('fails closed without calling SSM when the TTL is not a number of seconds', async () => {
    // Act
    const result = await newLoader(Number.NaN).load();

    // Assess
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('maxAgeSeconds') });
    expect(ssm).not.toHaveReceivedCommand(GetParametersByPathCommand);
  });
});

describe('createSettingsLoader with an SSM client', () => {
  it('reads through the client it is given (the local deployment gives one of its sandbox)', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [parameter('mode', 'dry-run')] });
    const client = new SSMClient({ region: 'eu-west-1' });
    const send = vi.spyOn(client, 'send');

    const result = await createSettingsLoader({ stage: 'test', ssmClient: client }).load();

    expect(result).toMatchObject({ ok: true, settings: { mode: 'dry-run' } });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('reads SSM again after clearCache, as when the time to live has passed', async () => {
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [parameter('mode', 'dry-run')] })
      .resolves({ Parameters: [parameter('mode', 'enforce')] });
    const loader = newLoader(60);

    const first = await loader.load();
    const cached = await loader.load();
    loader.clearCache();
    const fresh = await loader.load();

    expect([first, cached, fresh].map((result) => result.settings.mode)).toEqual([
      'dry-run',
      'dry-run',
      'enforce',
    ]);
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, 2);
  });
});
