import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import { CloudTrailModel } from '../../../src/sandbox/models/cloudtrail.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/management`;
const SHADOW_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-wide`;

function setup() {
  let now = new Date('2026-03-01T12:00:00Z');
  const sandbox = new SandboxAccount({ accountId: ACCOUNT, region: REGION, now: () => now });
  const model = new CloudTrailModel(sandbox.context)
    .addTrail({ name: 'management', s3BucketName: 'trail-logs', tags: { 'cordon:exempt': 'false' } })
    .addTrail({
      name: 'org-wide',
      homeRegion: 'us-east-1',
      s3BucketName: 'org-logs',
      isMultiRegionTrail: true,
    })
    .addTrail({ name: 'virginia-only', homeRegion: 'us-east-1', s3BucketName: 'other-logs' });
  sandbox.register(model);
  const client = sandbox.attach(new CloudTrailClient({ region: REGION }));
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  return { model, client, advance };
}

describe('CloudTrailModel', () => {
  it('DescribeTrails answers the Region’s trails and the shadows of multi-Region trails, unless shadows are left out', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const all = await client.send(new DescribeTrailsCommand({}));
    const own = await client.send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    const named = await client.send(
      new DescribeTrailsCommand({ trailNameList: ['management', 'org-wide', SHADOW_ARN] }),
    );

    // Assess
    expect(all.trailList?.map((trail) => [trail.Name, trail.HomeRegion])).toEqual([
      ['management', REGION],
      ['org-wide', 'us-east-1'],
    ]);
    expect(own.trailList?.map((trail) => trail.Name)).toEqual(['management']);
    // A name finds only a trail of this Region; the shadow trail is found by its ARN.
    expect(named.trailList?.map((trail) => trail.TrailARN)).toEqual([ARN, SHADOW_ARN]);
  });

  it('StopLogging then StartLogging: GetTrailStatus shows IsLogging and both times', async () => {
    // Prepare
    const { client, advance } = setup();

    // Act
    advance(60_000);
    await client.send(new StopLoggingCommand({ Name: 'management' }));
    const stopped = await client.send(new GetTrailStatusCommand({ Name: ARN }));
    advance(60_000);
    await client.send(new StartLoggingCommand({ Name: ARN }));
    await client.send(new StartLoggingCommand({ Name: ARN }));
    const started = await client.send(new GetTrailStatusCommand({ Name: 'management' }));

    // Assess
    expect(stopped.IsLogging).toBe(false);
    expect(stopped.StopLoggingTime).toEqual(new Date('2026-03-01T12:01:00Z'));
    expect(started).toMatchObject({
      IsLogging: true,
      StartLoggingTime: new Date('2026-03-01T12:02:00Z'),
      StopLoggingTime: new Date('2026-03-01T12:01:00Z'),
    });
  });

  it('UpdateTrail turns on log file validation and multi-Region logging, answering the trail', async () => {
    // Prepare
    const { model, client } = setup();

    // Act
    const output = await client.send(
      new UpdateTrailCommand({ Name: 'management', EnableLogFileValidation: true, IsMultiRegionTrail: true }),
    );
    const trail = await client.send(new GetTrailCommand({ Name: 'management' }));

    // Assess
    expect(output).toMatchObject({ TrailARN: ARN, LogFileValidationEnabled: true, IsMultiRegionTrail: true });
    expect(trail.Trail).toMatchObject({
      LogFileValidationEnabled: true,
      IsMultiRegionTrail: true,
      S3BucketName: 'trail-logs',
    });
    expect(model.findTrail('management')?.includeGlobalServiceEvents).toBe(true);
  });

  it('UpdateTrail refuses a multi-Region trail without global service events and changes nothing', async () => {
    // Prepare
    const { model, client } = setup();

    // Act
    const attempt = client.send(
      new UpdateTrailCommand({
        Name: 'management',
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: false,
        EnableLogFileValidation: true,
      }),
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidParameterCombinationException',
      message: 'Multi-Region trail must include global service events.',
      $metadata: { httpStatusCode: 400 },
    });
    expect(model.findTrail('management')).toMatchObject({
      isMultiRegionTrail: false,
      logFileValidationEnabled: false,
    });
  });

  it.each([
    ['StartLogging', () => new StartLoggingCommand({ Name: SHADOW_ARN })],
    ['StopLogging', () => new StopLoggingCommand({ Name: SHADOW_ARN })],
    ['UpdateTrail', () => new UpdateTrailCommand({ Name: SHADOW_ARN, EnableLogFileValidation: true })],
  ])(
    '%s on a shadow trail answers InvalidHomeRegionException and changes nothing',
    async (_name, command) => {
      // Prepare
      const { model, client } = setup();
      const before = model.snapshot();

      // Act
      // biome-ignore lint/suspicious/noExplicitAny: the three commands share a client but not one input type.
      const attempt = client.send(command() as any);

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'InvalidHomeRegionException',
        $metadata: { httpStatusCode: 400 },
      });
      expect(model.snapshot()).toEqual(before);
    },
  );

  it('an unknown trail answers TrailNotFoundException naming its ARN; a name of another Region is unknown here', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const unknown = client.send(new GetTrailStatusCommand({ Name: 'missing' }));
    const elsewhere = client.send(new GetTrailCommand({ Name: 'virginia-only' }));
    const badName = client.send(new GetTrailCommand({ Name: 'a' }));
    const badArn = client.send(new GetTrailCommand({ Name: 'arn:aws:s3:::bucket' }));

    // Assess
    await expect(unknown).rejects.toMatchObject({
      name: 'TrailNotFoundException',
      message: `Unknown trail: arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/missing for the user: ${ACCOUNT}`,
    });
    await expect(elsewhere).rejects.toMatchObject({ name: 'TrailNotFoundException' });
    await expect(badName).rejects.toMatchObject({ name: 'InvalidTrailNameException' });
    await expect(badArn).rejects.toMatchObject({ name: 'CloudTrailARNInvalidException' });
  });

  it('ListTags answers each trail’s tags by ARN; an unknown ARN is ResourceNotFoundException', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const tags = await client.send(new ListTagsCommand({ ResourceIdList: [ARN, SHADOW_ARN] }));
    const unknown = client.send(
      new ListTagsCommand({ ResourceIdList: [`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/missing`] }),
    );

    // Assess
    expect(tags.ResourceTagList).toEqual([
      { ResourceId: ARN, TagsList: [{ Key: 'cordon:exempt', Value: 'false' }] },
      { ResourceId: SHADOW_ARN, TagsList: [] },
    ]);
    await expect(unknown).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('seeding refuses a trail CloudTrail would refuse', () => {
    // Prepare
    const { model } = setup();

    // Act / Assess
    expect(() => model.addTrail({ name: 'bad--name', s3BucketName: 'b' })).toThrow(/not a valid trail name/);
    expect(() =>
      model.addTrail({
        name: 'multi',
        s3BucketName: 'b',
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: false,
      }),
    ).toThrow(/global service events/);
  });

  it('a call IAM denies answers AccessDeniedException, as CloudTrail (a JSON service) names it', async () => {
    // Prepare
    const sandbox = new SandboxAccount({ accountId: ACCOUNT, region: REGION });
    const model = new CloudTrailModel(sandbox.context).addTrail({
      name: 'management',
      s3BucketName: 'logs',
      isLogging: false,
    });
    sandbox.register(model).authorizeWith(() => ({ decision: 'denied', reason: 'no statement allows it' }));
    const client = sandbox.attach(new CloudTrailClient({ region: REGION }), {
      principal: { arn: `arn:aws:iam::${ACCOUNT}:role/cordon-test-x`, account: ACCOUNT },
    });

    // Act
    const attempt = client.send(new StartLoggingCommand({ Name: 'management' }));

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(model.findTrail('management')?.isLogging).toBe(false);
  });
});
