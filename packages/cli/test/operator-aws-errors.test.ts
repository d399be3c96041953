import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsCallError } from '../src/aws/aws-errors.ts';
import { main } from '../src/main.ts';

/**
 * The binary's own path to AWS (`awsStage`, the SDK's default chains), with an environment that holds no region
 * and no credentials: the named errors come from the real SDK clients, before any request leaves the machine.
 */

const CALL = { action: 'ssm:GetParametersByPath', resource: '/cordon/prod/settings' } as const;

function sdkError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

async function run(argv: readonly string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (...lines) => out.push(...lines), err: (line) => err.push(line) });
  return { code, out, err };
}

describe('AWS errors, named for what a person does about them', () => {
  it.each([
    [
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      'CredentialsMissingError',
      /aws sso login/,
    ],
    [sdkError('Error', 'Region is missing'), 'RegionMissingError', /pass --region, set AWS_REGION/],
    [
      sdkError('ExpiredTokenException', 'The security token included in the request is expired'),
      'CredentialsInvalidError',
      /sign in again/,
    ],
    [
      sdkError('AccessDeniedException', 'User is not authorized'),
      'AccessDeniedError',
      /lacks ssm:GetParametersByPath on \/cordon\/prod\/settings/,
    ],
    [sdkError('AccessDenied', 'not authorized'), 'AccessDeniedError', /lacks ssm:GetParametersByPath/],
    [
      sdkError('ThrottlingException', 'Rate exceeded'),
      'AwsCallFailedError',
      /failed: ThrottlingException: Rate exceeded/,
    ],
  ])('%s → %s', (error, name, message) => {
    const named = awsCallError(error, CALL);

    expect(named.name).toBe(name);
    expect(named.message).toMatch(message);
    expect(named.cause).toBe(error);
  });

  it('a missing table is the stage not found only where the call says so', () => {
    const missing = sdkError('ResourceNotFoundException', 'Requested resource not found');

    expect(
      awsCallError(missing, { ...CALL, stageWhenMissing: { stage: 'prod', region: 'eu-west-1' } }).name,
    ).toBe('StageNotFoundError');
    expect(awsCallError(missing, CALL).name).toBe('AwsCallFailedError');
  });
});

describe('cordon against AWS with nothing configured (the SDK’s own chains)', () => {
  beforeEach(() => {
    const empty = mkdtempSync(join(tmpdir(), 'cordon-no-aws-'));
    writeFileSync(join(empty, 'config'), '');
    writeFileSync(join(empty, 'credentials'), '');
    for (const name of [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_PROFILE',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_ROLE_ARN',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    ]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('AWS_CONFIG_FILE', join(empty, 'config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(empty, 'credentials'));
    // No instance metadata service to ask (the region and credential chains would try it last).
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('no region: RegionMissingError, exit 1, before any call', async () => {
    const result = await run(['settings', 'pull', '--stage', 'prod']);

    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      'cordon: RegionMissingError: No AWS region: pass --region, set AWS_REGION, or name one in the profile (region = …).',
    ]);
    expect(result.out).toEqual([]);
  });

  it('a region but no credentials: CredentialsMissingError, exit 1', async () => {
    const result = await run(['incidents', 'list', '--stage', 'prod', '--region', 'eu-west-1']);

    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/^cordon: CredentialsMissingError: No AWS credentials: the standard chain/);
    expect(result.out).toEqual([]);
  });

  it('an offline check needs neither: settings check runs with nothing configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-check-'));
    const file = join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify({ mode: 'dry-run' }));

    const result = await run(['settings', 'check', file]);

    expect(result.code, result.err.join('\n')).toBe(0);
  });
});
