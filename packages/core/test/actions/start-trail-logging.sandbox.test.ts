import { describe, expect, it } from 'vitest';
import { envelope, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';
import { startTrailLogging } from '../../src/actions/start-trail-logging.ts';

const ENABLED = {
  identifier: 'CLOUD_TRAIL_ENABLED',
  name: 'cloudtrail-enabled',
  parameters: {},
  parametersKnown: true,
};
const MULTI_REGION = {
  ...ENABLED,
  identifier: 'MULTI_REGION_CLOUD_TRAIL_ENABLED',
  name: 'multi-region-cloudtrail-enabled',
};

/**
 * A stopped multi-Region trail (stopped by an attacker after it logged), a single-Region trail that logs, and a
 * stopped multi-Region trail homed in another Region, seen here as a shadow trail.
 */
function anAccountWithAStoppedTrail(sandbox: Sandbox): void {
  sandbox.cloudTrail
    .addTrail({
      name: 'management-events',
      s3BucketName: 'org-logs',
      isMultiRegionTrail: true,
      logFileValidationEnabled: true,
    })
    .stopLogging('management-events')
    .addTrail({ name: 'app-audit', s3BucketName: 'app-logs' })
    .addTrail({
      name: 'eu-trail',
      s3BucketName: 'eu-logs',
      homeRegion: 'eu-west-1',
      isMultiRegionTrail: true,
      isLogging: false,
    });
}

/** Whether each trail logs, by name. */
function logging(sandbox: Sandbox): Record<string, boolean> {
  return Object.fromEntries(
    Object.values(sandbox.cloudTrail.snapshot().trails).map((trail) => [trail.name, trail.isLogging]),
  );
}

const input = { ...envelope(), accountId: TEST_ACCOUNT, rule: MULTI_REGION };

describe('start-trail-logging (against the sandbox account)', () => {
  it('starts the stopped trail of the Region and leaves the logging trail and the shadow trail as they were', async () => {
    // Prepare
    const sandbox = testSandbox();
    anAccountWithAStoppedTrail(sandbox);
    const before = sandbox.cloudTrail.snapshot();

    // Act
    const outcome = await runAction(startTrailLogging, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    expect(logging(sandbox)).toEqual({ 'management-events': true, 'app-audit': true, 'eu-trail': false });
    expect(outcome.output.homedElsewhere).toEqual([
      `arn:aws:cloudtrail:eu-west-1:${TEST_ACCOUNT}:trail/eu-trail`,
    ]);
    // Nothing else of any trail changed (validation, buckets, the other trails' times).
    const after = sandbox.cloudTrail.snapshot();
    const { isLogging: _l, startLoggingTime: _s, ...restAfter } = Object.values(after.trails)[0] ?? {};
    const { isLogging: _lb, startLoggingTime: _sb, ...restBefore } = Object.values(before.trails)[0] ?? {};
    expect(restAfter).toEqual(restBefore);
    expect(Object.values(after.trails).slice(1)).toEqual(Object.values(before.trails).slice(1));
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const sandbox = testSandbox();
    anAccountWithAStoppedTrail(sandbox);
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () => runAction(startTrailLogging, input, environment));
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();
    anAccountWithAStoppedTrail(sandbox);

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(startTrailLogging, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.output.started).toEqual([
      `arn:aws:cloudtrail:us-east-1:${TEST_ACCOUNT}:trail/management-events`,
    ]);
  });

  it('refuses, changing nothing, an account with no trail at all', async () => {
    // Prepare
    const sandbox = testSandbox();

    // Act
    const run = expectUnchanged(sandbox, () =>
      runAction(startTrailLogging, { ...input, rule: ENABLED }, environmentOn(sandbox)).catch(
        (error: unknown) => error,
      ),
    );

    // Assess
    await expect(run).resolves.toMatchObject({ name: 'ActionFailedError' });
  });

  it('is released exactly: the trail it started is stopped again, the others untouched', async () => {
    // Prepare
    const sandbox = testSandbox();
    anAccountWithAStoppedTrail(sandbox);
    const before = logging(sandbox);
    const environment = environmentOn(sandbox);
    await runAction(startTrailLogging, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);
    const again = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(release.output.releasedSteps).toEqual(['start-trail-logging']);
    expect(logging(sandbox)).toEqual(before);
    expect(again.status).toBe('already-done');
  });

  it('reports a fault mid-way, records it, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    anAccountWithAStoppedTrail(sandbox);
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({ command: 'StartLogging', error: 'ThrottlingException', times: 1 });

    // Act
    const failed = runAction(startTrailLogging, input, environment);

    // Assess: retryable, recorded, the restore record written before the call.
    await expect(failed).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    const retry = await runAction(startTrailLogging, input, environment);
    expect(retry.status).toBe('done');
    expect(logging(sandbox)['management-events']).toBe(true);
    // The release still reads the first record: the trail that was stopped before the first try.
    await runAction(releaseRemediation, envelope(), environment);
    expect(logging(sandbox)['management-events']).toBe(false);
  });
});
