import {
  DescribeTrailsCommand,
  ListTagsCommand,
  type Trail,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import { enableLogFileValidation } from '../../src/actions/enable-log-file-validation.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const ARN = `arn:aws:cloudtrail:us-east-1:${TEST_ACCOUNT}:trail/management-events`;
const RULE = {
  identifier: 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED',
  name: 'cloud-trail-log-file-validation-enabled-conformance-pack-w8k2m4d1q',
  parameters: {},
  parametersKnown: true,
};

function trail(fields: Partial<Trail> = {}): Trail {
  return {
    Name: 'management-events',
    TrailARN: ARN,
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: true,
    S3BucketName: 'org-logs',
    LogFileValidationEnabled: false,
    ...fields,
  };
}

describe('enable-log-file-validation (commands sent)', () => {
  const clients = realClients();
  const cloudTrail = mockClient(clients.cloudTrail);
  const input = { ...envelope(), trail: 'management-events', rule: RULE };

  function given(found: Trail | undefined, tags: { Key: string; Value: string }[] = []) {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: found === undefined ? [] : [found] });
    cloudTrail.on(ListTagsCommand).resolves({ ResourceTagList: [{ ResourceId: ARN, TagsList: tags }] });
  }

  beforeEach(() => {
    cloudTrail.reset();
    cloudTrail.on(UpdateTrailCommand).resolves({});
  });

  it('turns validation on with UpdateTrail EnableLogFileValidation only, by ARN, and records it was off', async () => {
    // Prepare
    given(trail());
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(
      enableLogFileValidation,
      { ...input, controls: ['SecurityHub/CloudTrail.4'] },
      environment,
    );

    // Assess
    expect(outcome.status).toBe('done');
    expect(cloudTrail).toHaveReceivedCommandWith(DescribeTrailsCommand, {
      trailNameList: ['management-events'],
      includeShadowTrails: true,
    });
    expect(cloudTrail).toHaveReceivedCommandTimes(UpdateTrailCommand, 1);
    expect(cloudTrail.commandCalls(UpdateTrailCommand)[0]?.args[0].input).toEqual({
      Name: ARN,
      EnableLogFileValidation: true,
    });
    const [planned] = environment.ledger.all();
    expect(planned).toMatchObject({
      outcome: 'planned',
      restore: { arn: ARN },
      controls: ['SecurityHub/CloudTrail.4'],
    });
  });

  it('takes the trail by ARN as well as by name', async () => {
    // Prepare
    given(trail());

    // Act
    await runAction(enableLogFileValidation, { ...input, trail: ARN }, actionEnvironment(clients));

    // Assess
    expect(cloudTrail).toHaveReceivedCommandWith(DescribeTrailsCommand, { trailNameList: [ARN] });
    expect(cloudTrail).toHaveReceivedCommandTimes(UpdateTrailCommand, 1);
  });

  it('is already done, recording nothing to release, when validation is on', async () => {
    // Prepare
    given(trail({ LogFileValidationEnabled: true }));
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(enableLogFileValidation, input, environment);

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(cloudTrail).toHaveReceivedCommandTimes(UpdateTrailCommand, 0);
    expect(environment.ledger.all().filter((entry) => entry.restore !== undefined)).toEqual([]);
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    given(trail());

    // Act
    const outcome = await runAction(
      enableLogFileValidation,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.output.enabled).toBe(true);
    expect(cloudTrail).toHaveReceivedCommandTimes(UpdateTrailCommand, 0);
  });

  it('refuses, named, an exempt trail, a trail homed elsewhere, a trail that is gone, and an id that is no trail', async () => {
    // Act + Assess
    given(trail(), [{ Key: 'cordon:exempt', Value: 'true' }]);
    await expect(runAction(enableLogFileValidation, input, actionEnvironment(clients))).rejects.toMatchObject(
      {
        name: 'ExemptResourceError',
      },
    );
    given(trail({ HomeRegion: 'eu-west-1' }));
    await expect(runAction(enableLogFileValidation, input, actionEnvironment(clients))).rejects.toThrow(
      /homed in eu-west-1: UpdateTrail must be called there/,
    );
    given(undefined);
    await expect(runAction(enableLogFileValidation, input, actionEnvironment(clients))).rejects.toMatchObject(
      {
        name: 'ResourceGoneError',
      },
    );
    await expect(
      runAction(enableLogFileValidation, { ...input, trail: 'not a trail!' }, actionEnvironment(clients)),
    ).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    expect(cloudTrail).toHaveReceivedCommandTimes(UpdateTrailCommand, 0);
  });

  it('is released by turning validation off again on that trail only', async () => {
    // Prepare
    given(trail());
    const environment = actionEnvironment(clients);
    await runAction(enableLogFileValidation, input, environment);
    given(trail({ LogFileValidationEnabled: true }));

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(cloudTrail).toHaveReceivedCommandTimes(UpdateTrailCommand, 2);
    expect(cloudTrail.commandCalls(UpdateTrailCommand)[1]?.args[0].input).toEqual({
      Name: ARN,
      EnableLogFileValidation: false,
    });
  });
  it('names what it refuses: the trail that is gone and the Region a trail is homed in', async () => {
    given(undefined);
    await expect(runAction(enableLogFileValidation, input, actionEnvironment(clients))).rejects.toThrow(
      'Trail management-events does not exist (any more) in us-east-1: nothing was changed.',
    );
    given(trail({ HomeRegion: 'eu-west-1' }));
    await expect(runAction(enableLogFileValidation, input, actionEnvironment(clients))).rejects.toThrow(
      `${ARN} is homed in eu-west-1: UpdateTrail must be called there, not in us-east-1; nothing was changed.`,
    );
    // A trail without a home Region named is taken as this Region's; one without an ARN as gone.
    given(trail({ HomeRegion: undefined }));
    await expect(
      runAction(enableLogFileValidation, input, actionEnvironment(clients)),
    ).resolves.toMatchObject({
      status: 'done',
    });
    given(trail({ TrailARN: undefined }));
    await expect(runAction(enableLogFileValidation, input, actionEnvironment(clients))).rejects.toMatchObject(
      {
        name: 'ResourceGoneError',
      },
    );
  });

  it('reads the trail by the name given, shadow trails included, and its tags by ARN', async () => {
    given(trail());
    await runAction(enableLogFileValidation, input, actionEnvironment(clients));
    expect(cloudTrail).toHaveReceivedCommandWith(DescribeTrailsCommand, {
      trailNameList: ['management-events'],
      includeShadowTrails: true,
    });
    expect(cloudTrail).toHaveReceivedCommandWith(ListTagsCommand, { ResourceIdList: [ARN] });
  });

  it('notes that a trail validates already, and takes a trail without tags as not exempt', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail({ LogFileValidationEnabled: true })] });
    cloudTrail.on(ListTagsCommand).resolves({});
    const environment = actionEnvironment(clients);
    const outcome = await runAction(enableLogFileValidation, input, environment);
    expect(outcome.status).toBe('already-done');
    expect(outcome.output).toEqual({ trail: ARN, enabled: false });
    const notes = (await environment.ledger.entries(envelope().incidentId)).flatMap((entry) => entry.notes);
    expect(notes).toContain(`${ARN} validates its log files already.`);
  });

  const denied = () => Object.assign(new Error('x'), { name: 'AccessDeniedException' });
  it.each([
    [`DescribeTrails management-events`, () => cloudTrail.on(DescribeTrailsCommand).rejects(denied())],
    [`ListTags ${ARN}`, () => cloudTrail.on(ListTagsCommand).rejects(denied())],
    [
      `UpdateTrail ${ARN} EnableLogFileValidation=true`,
      () => cloudTrail.on(UpdateTrailCommand).rejects(denied()),
    ],
  ] as const)('names the call that failed: %s', async (call, fail) => {
    given(trail());
    fail();
    await expect(runAction(enableLogFileValidation, input, actionEnvironment(clients))).rejects.toMatchObject(
      {
        name: 'AccessDeniedError',
        message: expect.stringContaining(`${call} failed: AccessDeniedException`),
      },
    );
  });

  it('is released with nothing to put back when validation is off already, or the trail is gone', async () => {
    // Prepare
    given(trail());
    const environment = actionEnvironment(clients);
    await runAction(enableLogFileValidation, input, environment);

    // Act
    const off = await runAction(releaseRemediation, envelope(), environment);
    given(undefined);
    const gone = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(off.status).toBe('already-done');
    expect(off.output).toMatchObject({
      results: { 'enable-log-file-validation': { trail: ARN, disabled: false } },
    });
    expect(gone.output).toMatchObject({ results: { 'enable-log-file-validation': { disabled: false } } });
    const notes = (await environment.ledger.entries(envelope().incidentId)).flatMap((entry) => entry.notes);
    expect(notes).toContain(`enable-log-file-validation: ${ARN} does not validate its log files already.`);
    expect(notes).toContain(`enable-log-file-validation: ${ARN} no longer exists: nothing to put back.`);
    expect(cloudTrail).toHaveReceivedCommandTimes(UpdateTrailCommand, 1);
  });

  it('is released with an off change, and refuses a release outside the home Region or failing otherwise', async () => {
    // Prepare
    given(trail());
    const environment = actionEnvironment(clients);
    await runAction(enableLogFileValidation, input, environment);

    // Act + Assess
    given(trail({ LogFileValidationEnabled: true }));
    const dry = await runAction(releaseRemediation, envelope(true), environment);
    expect(dry.changes).toEqual([
      { resource: ARN, attribute: 'log file validation', before: 'on', after: 'off' },
    ]);
    expect(dry.output).toMatchObject({
      results: { 'enable-log-file-validation': { trail: ARN, disabled: true } },
    });
    given(trail({ LogFileValidationEnabled: true, HomeRegion: 'eu-west-1' }));
    await expect(runAction(releaseRemediation, envelope(), environment)).rejects.toThrow(
      /homed in eu-west-1/,
    );
    cloudTrail
      .on(DescribeTrailsCommand)
      .rejects(Object.assign(new Error('x'), { name: 'AccessDeniedException' }));
    await expect(runAction(releaseRemediation, envelope(), environment)).rejects.toMatchObject({
      name: 'AccessDeniedError',
    });
  });
});
