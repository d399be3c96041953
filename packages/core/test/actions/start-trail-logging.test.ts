import {
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';
import { startTrailLogging } from '../../src/actions/start-trail-logging.ts';
import type { TargetRule } from '../../src/playbooks/target-kinds.ts';

const arn = (name: string, region = 'us-east-1') =>
  `arn:aws:cloudtrail:${region}:${TEST_ACCOUNT}:trail/${name}`;

const ENABLED: TargetRule = {
  identifier: 'CLOUD_TRAIL_ENABLED',
  name: 'cloudtrail-enabled-conformance-pack-p3q7z2mfa',
  parameters: {},
  parametersKnown: true,
};
const MULTI_REGION: TargetRule = {
  identifier: 'MULTI_REGION_CLOUD_TRAIL_ENABLED',
  name: 'securityhub-multi-region-cloudtrail-enabled-8c9d0e',
  parameters: {},
  parametersKnown: true,
};

function trail(name: string, fields: Partial<Trail> = {}): Trail {
  return {
    Name: name,
    TrailARN: arn(name, fields.HomeRegion),
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: false,
    S3BucketName: `${name}-logs`,
    ...fields,
  };
}

const ORG = trail('management-events', { IsMultiRegionTrail: true });
const APP = trail('app-audit');
const ELSEWHERE = trail('eu-trail', { IsMultiRegionTrail: true, HomeRegion: 'eu-west-1' });

describe('start-trail-logging (commands sent)', () => {
  const clients = realClients();
  const cloudTrail = mockClient(clients.cloudTrail);
  const input = { ...envelope(), accountId: TEST_ACCOUNT, rule: ENABLED };

  /** The trails of the Region, with which log; `tags` by trail name. */
  function trails(
    list: Trail[],
    logging: readonly string[],
    tags: Record<string, { Key: string; Value: string }[]> = {},
  ) {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: list });
    for (const each of list) {
      cloudTrail
        .on(GetTrailStatusCommand, { Name: each.TrailARN })
        .resolves({ IsLogging: logging.includes(each.Name ?? '') });
      cloudTrail.on(ListTagsCommand, { ResourceIdList: [each.TrailARN ?? ''] }).resolves({
        ResourceTagList: [{ ResourceId: each.TrailARN, TagsList: tags[each.Name ?? ''] ?? [] }],
      });
    }
  }

  beforeEach(() => {
    cloudTrail.reset();
    cloudTrail.on(StartLoggingCommand).resolves({});
    cloudTrail.on(StopLoggingCommand).resolves({});
  });

  it('starts every stopped trail of the Region by ARN, and reads shadow trails too', async () => {
    // Prepare
    trails([ORG, APP], []);

    // Act
    const outcome = await runAction(startTrailLogging, input, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('done');
    expect(cloudTrail).toHaveReceivedCommandWith(DescribeTrailsCommand, { includeShadowTrails: true });
    expect(cloudTrail).toHaveReceivedCommandTimes(StartLoggingCommand, 2);
    expect(cloudTrail).toHaveReceivedCommandWith(StartLoggingCommand, { Name: ORG.TrailARN });
    expect(cloudTrail).toHaveReceivedCommandWith(StartLoggingCommand, { Name: APP.TrailARN });
  });

  it('multi-region-cloudtrail-enabled starts only the stopped multi-Region trail, not a single-Region one', async () => {
    // Prepare
    trails([ORG, APP], []);

    // Act
    const outcome = await runAction(
      startTrailLogging,
      { ...input, rule: MULTI_REGION },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.output.started).toEqual([ORG.TrailARN]);
    expect(cloudTrail).toHaveReceivedCommandTimes(StartLoggingCommand, 1);
    expect(cloudTrail).toHaveReceivedCommandWith(StartLoggingCommand, { Name: ORG.TrailARN });
  });

  it("the rule's s3BucketName narrows the trails to those delivering to that bucket", async () => {
    // Prepare
    trails([ORG, APP], []);
    const rule = { ...ENABLED, parameters: { s3BucketName: 'app-audit-logs' } };

    // Act
    const outcome = await runAction(startTrailLogging, { ...input, rule }, actionEnvironment(clients));

    // Assess
    expect(outcome.output.started).toEqual([APP.TrailARN]);
    expect(cloudTrail).toHaveReceivedCommandTimes(StartLoggingCommand, 1);
  });

  it('records the trails it starts in the ledger before starting them, with the controls', async () => {
    // Prepare
    trails([ORG, APP], ['app-audit']);
    const environment = actionEnvironment(clients);

    // Act
    await runAction(startTrailLogging, { ...input, controls: ['SecurityHub/CloudTrail.3'] }, environment);

    // Assess: only the stopped trail is recorded and changed.
    const [planned, done] = environment.ledger.all();
    expect(planned).toMatchObject({ outcome: 'planned', controls: ['SecurityHub/CloudTrail.3'] });
    expect(planned?.restore).toEqual({ trails: [{ arn: ORG.TrailARN, name: 'management-events' }] });
    expect(planned?.changes).toEqual([
      { resource: ORG.TrailARN, attribute: 'logging', before: 'off', after: 'on' },
    ]);
    expect(done?.outcome).toBe('done');
    expect(cloudTrail).toHaveReceivedCommandTimes(StartLoggingCommand, 1);
  });

  it('changes nothing in dry-run and says what it would start', async () => {
    // Prepare
    trails([ORG], []);

    // Act
    const outcome = await runAction(
      startTrailLogging,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.output.started).toEqual([ORG.TrailARN]);
    expect(cloudTrail).toHaveReceivedCommandTimes(StartLoggingCommand, 0);
  });

  it('leaves a stopped trail with the exemption tag stopped, and refuses when it is the only one', async () => {
    // Prepare
    const exemptTag = [{ Key: 'cordon:exempt', Value: 'true' }];
    trails([ORG, APP], [], { 'app-audit': exemptTag });

    // Act
    const outcome = await runAction(startTrailLogging, input, actionEnvironment(clients));
    cloudTrail.resetHistory();
    trails([APP], [], { 'app-audit': exemptTag });
    const refused = runAction(startTrailLogging, input, actionEnvironment(clients));

    // Assess
    expect(outcome.output).toMatchObject({ started: [ORG.TrailARN], exempt: [APP.TrailARN] });
    await expect(refused).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(cloudTrail).toHaveReceivedCommandTimes(StartLoggingCommand, 0);
  });

  it('reports a stopped multi-Region trail homed in another Region instead of calling StartLogging here', async () => {
    // Prepare
    trails([ELSEWHERE], []);

    // Act
    const run = runAction(startTrailLogging, { ...input, rule: MULTI_REGION }, actionEnvironment(clients));

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ActionFailedError' });
    await expect(run).rejects.toThrow(/homed in another Region/);
    expect(cloudTrail).toHaveReceivedCommandTimes(StartLoggingCommand, 0);
  });

  it('refuses, named, when the account has no trail the rule counts: it does not create one', async () => {
    // Prepare
    trails([APP], []);

    // Act
    const run = runAction(startTrailLogging, { ...input, rule: MULTI_REGION }, actionEnvironment(clients));

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ActionFailedError' });
    await expect(run).rejects.toThrow(/does not create one/);
    expect(cloudTrail).toHaveReceivedCommandTimes(StartLoggingCommand, 0);
  });

  it('refuses a rule it does not answer and an account other than the incident’s before any call', async () => {
    // Act
    const otherRule = runAction(
      startTrailLogging,
      { ...input, rule: { ...ENABLED, identifier: 'CLOUD_TRAIL_ENCRYPTION_ENABLED' } },
      actionEnvironment(clients),
    );
    const otherAccount = runAction(
      startTrailLogging,
      { ...input, accountId: '210987654321' },
      actionEnvironment(clients),
    );

    // Assess
    await expect(otherRule).rejects.toThrow(/not CLOUD_TRAIL_ENCRYPTION_ENABLED/);
    await expect(otherAccount).rejects.toThrow(/named account 210987654321/);
    expect(cloudTrail).toHaveReceivedCommandTimes(DescribeTrailsCommand, 0);
  });

  it('refuses an account id that is not one, by its input schema', async () => {
    // Act
    const run = runAction(startTrailLogging, { ...input, accountId: 'all' }, actionEnvironment(clients));

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    await expect(run).rejects.toThrow(/accountId: must be a 12-digit AWS account id/);
  });

  it('is released by stopping again only the trails it started, and only while they log', async () => {
    // Prepare: the fix starts the org trail (the app trail logs already).
    trails([ORG, APP], ['app-audit']);
    const environment = actionEnvironment(clients);
    await runAction(startTrailLogging, input, environment);
    trails([ORG, APP], ['management-events', 'app-audit']);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(cloudTrail).toHaveReceivedCommandTimes(StopLoggingCommand, 1);
    expect(cloudTrail).toHaveReceivedCommandWith(StopLoggingCommand, { Name: ORG.TrailARN });
  });
  it('plans exactly the stopped trails, with off → on changes, the trails in the restore record, and every output list', async () => {
    // Prepare
    const exemptTag = [{ Key: 'cordon:exempt', Value: 'true' }];
    const held = trail('held', { IsMultiRegionTrail: true });
    trails([ORG, APP, ELSEWHERE, held], ['app-audit'], { held: exemptTag });
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(startTrailLogging, input, environment);

    // Assess
    expect(outcome.changes).toEqual([
      { resource: ORG.TrailARN, attribute: 'logging', before: 'off', after: 'on' },
    ]);
    expect(outcome.output).toEqual({
      accountId: TEST_ACCOUNT,
      started: [ORG.TrailARN],
      alreadyLogging: [APP.TrailARN],
      exempt: [held.TrailARN],
      homedElsewhere: [ELSEWHERE.TrailARN],
    });
    const entries = await environment.ledger.entries(envelope().incidentId);
    expect(entries.find((entry) => entry.outcome === 'planned')?.restore).toEqual({
      trails: [{ arn: ORG.TrailARN, name: 'management-events' }],
    });
    expect(entries.find((entry) => entry.outcome === 'planned')?.notes).toEqual([
      `${held.TrailARN} is stopped and carries the exemption tag: left stopped.`,
      `${ELSEWHERE.TrailARN} is stopped and homed in another Region: only a run there (StartLogging in its home Region) can start it.`,
    ]);
    expect(cloudTrail).toHaveReceivedCommandWith(DescribeTrailsCommand, { includeShadowTrails: true });
    expect(cloudTrail).toHaveReceivedCommandTimes(StartLoggingCommand, 1);
  });

  it('is already done when every trail it counts logs, and says when the rule could not be read', async () => {
    trails([ORG], ['management-events']);
    const outcome = await runAction(
      startTrailLogging,
      { ...input, rule: { ...ENABLED, parametersKnown: false } },
      actionEnvironment(clients),
    );
    expect(outcome.status).toBe('already-done');
    expect(outcome.changes).toEqual([]);
    expect(cloudTrail).toHaveReceivedCommandTimes(StartLoggingCommand, 0);
  });

  it('notes that every trail was considered when the rule’s parameters could not be read', async () => {
    trails([ORG], []);
    const environment = actionEnvironment(clients);
    await runAction(
      startTrailLogging,
      { ...input, rule: { ...ENABLED, parametersKnown: false } },
      environment,
    );
    const planned = (await environment.ledger.entries(envelope().incidentId)).find(
      (entry) => entry.outcome === 'planned',
    );
    expect(planned?.notes).toEqual([
      `The parameters of ${ENABLED.name} could not be read: every trail it may count was considered.`,
    ]);
  });

  it('narrows by each destination parameter, an empty one matching anything', async () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:trail-news';
    const group = 'arn:aws:logs:us-east-1:123456789012:log-group:trail:*';
    const withBoth = trail('with-both', { SnsTopicARN: topic, CloudWatchLogsLogGroupArn: group });
    trails([withBoth, APP], []);
    const outcome = await runAction(
      startTrailLogging,
      {
        ...input,
        rule: {
          ...ENABLED,
          parameters: { snsTopicArn: topic, cloudWatchLogsLogGroupArn: group, s3BucketName: '' },
        },
      },
      actionEnvironment(clients),
    );
    expect(outcome.output).toMatchObject({ started: [withBoth.TrailARN] });
    cloudTrail.resetHistory();
    const none = runAction(
      startTrailLogging,
      {
        ...input,
        rule: {
          ...ENABLED,
          parameters: { cloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:other:*' },
        },
      },
      actionEnvironment(clients),
    );
    await expect(none).rejects.toThrow(
      `${ENABLED.name} asks for a trail that logs, and account ${TEST_ACCOUNT} has no trail it counts in us-east-1: Cordon starts stopped trails but does not create one (that needs an S3 bucket whose policy lets CloudTrail write). Create the trail; nothing was changed.`,
    );
  });

  it('refuses with every trail it could not start when some are exempt and others homed elsewhere', async () => {
    const exemptTag = [{ Key: 'cordon:exempt', Value: 'true' }];
    trails([APP, ELSEWHERE], [], { 'app-audit': exemptTag });
    const run = runAction(startTrailLogging, input, actionEnvironment(clients));
    await expect(run).rejects.toMatchObject({ name: 'ActionFailedError' });
    await expect(run).rejects.toThrow(
      `No trail ${ENABLED.name} counts can be started in us-east-1: ${ELSEWHERE.TrailARN}, ${APP.TrailARN} (`,
    );
  });

  it('names the exempt trails when every stopped trail is exempt', async () => {
    const exemptTag = [{ Key: 'cordon:exempt', Value: 'true' }];
    trails([APP], [], { 'app-audit': exemptTag });
    await expect(runAction(startTrailLogging, input, actionEnvironment(clients))).rejects.toThrow(
      `Every stopped trail ${ENABLED.name} counts carries the exemption tag (${APP.TrailARN}): Cordon notifies and never acts on them.`,
    );
  });

  it('names the rules it answers when refusing another', async () => {
    await expect(
      runAction(
        startTrailLogging,
        { ...input, rule: { ...ENABLED, identifier: 'toString' } },
        actionEnvironment(clients),
      ),
    ).rejects.toThrow(
      `start-trail-logging answers CLOUD_TRAIL_ENABLED and MULTI_REGION_CLOUD_TRAIL_ENABLED, not toString (${ENABLED.name}): nothing was changed.`,
    );
  });

  it.each([
    [
      'DescribeTrails',
      () =>
        cloudTrail
          .on(DescribeTrailsCommand)
          .rejects(Object.assign(new Error('x'), { name: 'AccessDeniedException' })),
    ],
    [
      `GetTrailStatus ${ORG.TrailARN}`,
      () =>
        cloudTrail
          .on(GetTrailStatusCommand)
          .rejects(Object.assign(new Error('x'), { name: 'AccessDeniedException' })),
    ],
    [
      `ListTags ${ORG.TrailARN}`,
      () =>
        cloudTrail
          .on(ListTagsCommand)
          .rejects(Object.assign(new Error('x'), { name: 'AccessDeniedException' })),
    ],
    [
      `StartLogging ${ORG.TrailARN}`,
      () =>
        cloudTrail
          .on(StartLoggingCommand)
          .rejects(Object.assign(new Error('x'), { name: 'AccessDeniedException' })),
    ],
  ])('names the call that failed: %s', async (call, fail) => {
    trails([ORG], []);
    fail();
    await expect(runAction(startTrailLogging, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining(`${call} failed: AccessDeniedException`),
    });
  });

  it('takes a trail without tags as not exempt', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [ORG] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    cloudTrail.on(ListTagsCommand).resolves({});
    const outcome = await runAction(startTrailLogging, input, actionEnvironment(clients));
    expect(outcome.output).toMatchObject({ started: [ORG.TrailARN] });
  });

  it('is released without stopping a trail that is stopped already or gone, saying so', async () => {
    // Prepare
    const gone = trail('gone-trail');
    trails([ORG, APP, gone], []);
    const environment = actionEnvironment(clients);
    await runAction(startTrailLogging, input, environment);
    cloudTrail.reset();
    cloudTrail.on(GetTrailStatusCommand, { Name: ORG.TrailARN }).resolves({ IsLogging: true });
    cloudTrail.on(GetTrailStatusCommand, { Name: APP.TrailARN }).resolves({ IsLogging: false });
    cloudTrail
      .on(GetTrailStatusCommand, { Name: gone.TrailARN })
      .rejects(Object.assign(new Error('gone'), { name: 'TrailNotFoundException' }));
    cloudTrail.on(StopLoggingCommand).resolves({});

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.changes).toEqual([
      { resource: ORG.TrailARN, attribute: 'logging', before: 'on', after: 'off' },
    ]);
    expect(release.output).toMatchObject({ results: { 'start-trail-logging': { stopped: [ORG.TrailARN] } } });
    const notes = (await environment.ledger.entries(envelope().incidentId)).at(-1)?.notes ?? [];
    expect(notes).toEqual(
      expect.arrayContaining([
        `start-trail-logging: ${APP.TrailARN} is stopped already.`,
        `start-trail-logging: ${gone.TrailARN} no longer exists: nothing to stop.`,
      ]),
    );
    expect(cloudTrail).toHaveReceivedCommandTimes(StopLoggingCommand, 1);
  });

  it('passes on any other failure of its release, naming the call', async () => {
    trails([ORG], []);
    const environment = actionEnvironment(clients);
    await runAction(startTrailLogging, input, environment);
    cloudTrail.reset();
    cloudTrail
      .on(GetTrailStatusCommand)
      .resolvesOnce({ IsLogging: true })
      .rejects(Object.assign(new Error('x'), { name: 'AccessDeniedException' }));
    cloudTrail
      .on(StopLoggingCommand)
      .rejects(Object.assign(new Error('x'), { name: 'AccessDeniedException' }));
    await expect(runAction(releaseRemediation, envelope(), environment)).rejects.toMatchObject({
      message: expect.stringContaining(`StopLogging ${ORG.TrailARN} failed: AccessDeniedException`),
    });
    await expect(runAction(releaseRemediation, envelope(), environment)).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining(`GetTrailStatus ${ORG.TrailARN} failed: AccessDeniedException`),
    });
  });
});
