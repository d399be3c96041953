import { describe, expect, it } from 'vitest';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const BUCKET = 'amzn-s3-demo-bucket-data';

describe('s3-bucket-secure-transport: s3-bucket-ssl-requests-only under a conformance-pack name', () => {
  it("asks first, adds one TLS-only statement beside the partner's, and the release puts the policy back byte for byte", async () => {
    // Prepare
    const event = loadDemoEvent(POSTURE_EVENTS.S3_BUCKET_SSL_REQUESTS_ONLY);
    const before = sandboxForEvent(event).sandbox.s3.findBucket(BUCKET)?.policy;

    // Act
    const { sandbox, deployment, execution, incident } = await runScenario(event);

    // Assess
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'require-secure-transport',
      'notify',
    ]);
    const fixed = JSON.parse(sandbox.s3.findBucket(BUCKET)?.policy ?? '{}') as {
      Statement: { Sid: string }[];
    };
    expect(fixed.Statement.map((statement) => statement.Sid)).toEqual([
      'PartnerRead',
      'CordonDenyInsecureTransport',
    ]);
    const fix = (await ledgerEntries(deployment, incident.id)).filter(
      (entry) => entry.step === 'require-secure-transport',
    );
    expect(fix.length).toBeGreaterThan(0);
    expect(fix.every((entry) => entry.controls?.includes('SecurityHub/S3.5'))).toBe(true);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(before).toBeDefined();
    expect(sandbox.s3.findBucket(BUCKET)?.policy).toBe(before);
  });
});
