import {
  AddTagsToResourceCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { SsmModel } from '../../../src/sandbox/models/ssm.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const NOW = new Date('2026-03-01T12:00:00Z');

function setup() {
  const sandbox = new SandboxAccount({ accountId: '111122223333', now: () => NOW });
  const ssm = new SsmModel(sandbox.context)
    .putParameter({ name: '/cordon/settings', value: '{"dryRun":true}' })
    .putParameter({ name: '/cordon/slack/signing-secret', value: 's3cr3t', type: 'SecureString' });
  sandbox.register(ssm);
  const client = sandbox.attach(new SSMClient({ region: 'us-east-1' }));
  return { sandbox, ssm, client };
}

describe('SsmModel', () => {
  it('seeding a name again replaces the value and increments the version, as PutParameter with Overwrite', async () => {
    // Prepare
    const { ssm, client } = setup();

    // Act
    ssm.putParameter({ name: '/cordon/settings', value: '{"dryRun":false}' });
    const read = await client.send(new GetParameterCommand({ Name: '/cordon/settings' }));

    // Assess
    expect(read.Parameter).toMatchObject({
      Name: '/cordon/settings',
      Type: 'String',
      Value: '{"dryRun":false}',
      Version: 2,
      LastModifiedDate: NOW,
      ARN: 'arn:aws:ssm:us-east-1:111122223333:parameter/cordon/settings',
    });
  });

  it.each([
    ['an empty value', { name: '/cordon/empty', value: '' }, 'ValidationException'],
    [
      'a value over 4,096 characters',
      { name: '/cordon/big', value: 'x'.repeat(4097) },
      'ValidationException',
    ],
    ['a name under the reserved ssm prefix', { name: '/ssm/x', value: 'v' }, 'AccessDeniedException'],
  ])('seeding refuses what PutParameter would refuse: %s', (_case, seed, name) => {
    // Prepare
    const { ssm } = setup();
    const before = ssm.snapshot();

    // Act
    const attempt = () => ssm.putParameter(seed);

    // Assess
    expect(attempt).toThrow(expect.objectContaining({ name }));
    expect(ssm.snapshot()).toEqual(before);
  });

  it('a SecureString is answered decrypted only with WithDecryption', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const hidden = await client.send(new GetParameterCommand({ Name: '/cordon/slack/signing-secret' }));
    const shown = await client.send(
      new GetParameterCommand({ Name: '/cordon/slack/signing-secret', WithDecryption: true }),
    );

    // Assess
    expect(hidden.Parameter?.Value).not.toContain('s3cr3t');
    expect(Buffer.from(hidden.Parameter?.Value ?? '', 'base64').toString()).not.toContain('s3cr3t');
    expect(shown.Parameter?.Value).toBe('s3cr3t');
  });

  it('GetParameter on a missing name answers ParameterNotFound', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const attempt = client.send(new GetParameterCommand({ Name: '/cordon/missing' }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'ParameterNotFound',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('GetParametersByPath pages at 10', async () => {
    // Prepare
    const { ssm, client } = setup();
    for (let index = 0; index < 23; index += 1) {
      ssm.putParameter({
        name: `/cordon/alarms/alarm-${String(index).padStart(2, '0')}`,
        value: 'ec2-contain',
      });
    }

    // Act
    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetParametersByPathCommand({ Path: '/cordon/alarms', NextToken: nextToken }),
      );
      pages.push((page.Parameters ?? []).map((parameter) => parameter.Name ?? ''));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);

    // Assess
    expect(pages.map((page) => page.length)).toEqual([10, 10, 3]);
    expect(pages.flat()).toHaveLength(23);
    expect(new Set(pages.flat()).size).toBe(23);
  });

  it('GetParametersByPath refuses MaxResults above 10', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const attempt = client.send(new GetParametersByPathCommand({ Path: '/cordon', MaxResults: 11 }));

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('GetParametersByPath returns one level unless Recursive, and decrypts only with WithDecryption', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const shallow = await client.send(new GetParametersByPathCommand({ Path: '/cordon' }));
    const deep = await client.send(
      new GetParametersByPathCommand({ Path: '/cordon/', Recursive: true, WithDecryption: true }),
    );

    // Assess
    expect(shallow.Parameters?.map((parameter) => parameter.Name)).toEqual(['/cordon/settings']);
    expect(deep.Parameters?.map((parameter) => [parameter.Name, parameter.Value])).toEqual([
      ['/cordon/settings', '{"dryRun":true}'],
      ['/cordon/slack/signing-secret', 's3cr3t'],
    ]);
  });

  it('a NextToken from another path is refused as InvalidNextToken', async () => {
    // Prepare
    const { ssm, client } = setup();
    for (let index = 0; index < 11; index += 1) ssm.putParameter({ name: `/a/p${index}`, value: 'v' });
    const first = await client.send(new GetParametersByPathCommand({ Path: '/a' }));

    // Act
    const attempt = client.send(
      new GetParametersByPathCommand({ Path: '/cordon', NextToken: first.NextToken }),
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });

  it('version selectors are refused, not ignored', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const attempt = client.send(new GetParameterCommand({ Name: '/cordon/settings:1' }));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('sandbox does not model'),
    });
  });

  it('snapshot() is a deep copy', () => {
    // Prepare
    const { ssm } = setup();
    const snapshot = ssm.snapshot();

    // Act
    const settings = snapshot.parameters['/cordon/settings'];
    if (settings !== undefined) settings.value = 'tampered';

    // Assess
    expect(ssm.snapshot().parameters['/cordon/settings']?.value).toBe('{"dryRun":true}');
  });

  it('AddTagsToResource tags a parameter; tags survive an overwrite of its value', async () => {
    // Prepare
    const { ssm, client } = setup();

    // Act
    await client.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: '/cordon/settings',
        Tags: [
          { Key: 'cordon:pushed-by', Value: 'arn:aws:sts::111122223333:assumed-role/admin/jane@example.com' },
        ],
      }),
    );
    await client.send(new PutParameterCommand({ Name: '/cordon/settings', Value: '{}', Overwrite: true }));

    // Assess
    expect(ssm.snapshot().parameters['/cordon/settings']).toMatchObject({
      value: '{}',
      version: 2,
      tags: { 'cordon:pushed-by': 'arn:aws:sts::111122223333:assumed-role/admin/jane@example.com' },
    });
  });

  it.each([
    ['a key beginning with aws:', [{ Key: 'aws:owner', Value: 'x' }], 'ValidationException'],
    ['a value over 256 characters', [{ Key: 'k', Value: 'v'.repeat(257) }], 'ValidationException'],
    ['a character tags do not allow', [{ Key: 'k', Value: 'a;b' }], 'ValidationException'],
    [
      'more than 50 tags',
      Array.from({ length: 51 }, (_, index) => ({ Key: `k${index}`, Value: 'v' })),
      'TooManyTagsError',
    ],
  ])('AddTagsToResource refuses %s, tagging nothing', async (_case, tags, error) => {
    // Prepare
    const { ssm, client } = setup();

    // Act
    const refused = client.send(
      new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/cordon/settings', Tags: tags }),
    );

    // Assess
    await expect(refused).rejects.toMatchObject({ name: error });
    expect(ssm.snapshot().parameters['/cordon/settings']?.tags).toBeUndefined();
  });

  it('AddTagsToResource on a parameter that does not exist is InvalidResourceId', async () => {
    const { client } = setup();

    await expect(
      client.send(
        new AddTagsToResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: '/cordon/none',
          Tags: [{ Key: 'k', Value: 'v' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidResourceId' });
  });
});
