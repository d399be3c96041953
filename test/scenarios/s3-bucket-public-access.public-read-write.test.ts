import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';
import { ALL_USERS } from '../../packages/local/src/sandbox/models/s3-acl.ts';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

/** The bucket's state but its creation time (the state before is read from a sandbox seeded on its own). */
function bucketState(sandbox: Sandbox, name: string) {
  const bucket = sandbox.s3.findBucket(name);
  if (bucket === undefined) throw new Error(`${name} was not seeded`);
  const { creationDate: _created, ...state } = bucket;
  return state;
}

describe('s3-bucket-public-access: s3-bucket-public-read-prohibited and s3-bucket-public-write-prohibited', () => {
  it.each([
    {
      event: POSTURE_EVENTS.S3_BUCKET_PUBLIC_READ_PROHIBITED,
      bucket: 'amzn-s3-demo-bucket-downloads',
      control: 'SecurityHub/S3.2',
      permissions: ['READ'],
    },
    {
      event: POSTURE_EVENTS.S3_BUCKET_PUBLIC_WRITE_PROHIBITED,
      bucket: 'amzn-s3-demo-bucket-uploads',
      control: 'SecurityHub/S3.3',
      permissions: ['READ', 'WRITE'],
    },
  ])(
    '$event: asks first, blocks public access keeping the ACL and policy, and the release removes the block exactly',
    async ({ event: file, bucket, control, permissions }) => {
      // Prepare
      const event = loadDemoEvent(file);
      const before = bucketState(sandboxForEvent(event).sandbox, bucket);

      // Act
      const { sandbox, deployment, execution, incident } = await runScenario(event);

      // Assess: public through its ACL before; the four settings after, the grants and the policy untouched.
      const everyone = (state: typeof before) =>
        state.grants
          .filter((grant) => grant.grantee.kind === 'Group' && grant.grantee.uri === ALL_USERS)
          .map((grant) => grant.permission)
          .sort();
      expect(everyone(before)).toEqual(permissions);
      expect(before.publicAccessBlock).toBeUndefined();
      expect(execution?.steps.map((step) => step.id)).toEqual([
        'request-approval',
        'block-bucket-public-access',
        'notify',
      ]);
      const fixed = bucketState(sandbox, bucket);
      expect(fixed).toEqual({
        ...before,
        publicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      });
      const fix = (await ledgerEntries(deployment, incident.id)).filter(
        (entry) => entry.step === 'block-bucket-public-access',
      );
      expect(fix.length).toBeGreaterThan(0);
      expect(fix.every((entry) => entry.controls?.includes(control))).toBe(true);

      // Act
      const release = await startRelease(deployment, execution);

      // Assess
      expect(release.status).toBe('SUCCEEDED');
      expect(bucketState(sandbox, bucket)).toEqual(before);
    },
  );
});
