import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../../test/support/events.ts';
import { baseRuleName, normalizeComplianceChange } from '../../src/intake/config.ts';
import { makeIncidentId, severityOf } from '../../src/intake/incident.ts';
import type { IntakeResult } from '../../src/intake/result.ts';

// The unit tests of config.ts (issue 18), on the EventBridge "Config Rules Compliance Change" fixture.

type Json = Record<string, unknown>;
const USER_ID = 'AIDAJQABLZS4A3QDU576Q';
const RULE = 'access-keys-rotated-conformance-pack-k3lqt8bvs';
const RECORDED = '2026-11-02T09:15:01.120Z';

function event(change: (event: Json, detail: Json, result: Json) => void = () => undefined): Json {
  const loaded = loadFixture('config-access-keys-rotated-noncompliant.json');
  const detail = loaded.detail as Json;
  change(loaded, detail, detail.newEvaluationResult as Json);
  return loaded;
}

function incidentOf(result: IntakeResult) {
  if (!result.accepted) throw new Error(result.reason);
  expect(result.recognised).toBe('config-compliance-change');
  return result.incident;
}

describe('normalizeComplianceChange', () => {
  it('makes the incident of one evaluation: the IAM user by its id, stale credentials, the rule and annotation kept', () => {
    const nativeId = `${RULE}/AWS::IAM::User/${USER_ID}@${RECORDED}`;
    expect(incidentOf(normalizeComplianceChange(event()))).toEqual({
      id: makeIncidentId('config', '123456789012', 'us-east-1', nativeId),
      source: 'config',
      account: '123456789012',
      region: 'us-east-1',
      type: 'ConfigRule/NON_COMPLIANT',
      title: `AWS::IAM::User ${USER_ID} is NON_COMPLIANT with ${RULE}`,
      description: 'One or more access keys have not been rotated in 90 days.',
      severity: severityOf(5),
      category: 'stale-credentials',
      resources: [{ kind: 'iam-user', role: 'affected', userId: USER_ID }],
      observedAt: RECORDED,
      sample: false,
      nativeId,
      count: 1,
      updatedAt: RECORDED,
      facts: {
        source: 'config',
        configRuleName: RULE,
        baseRuleName: 'access-keys-rotated',
        complianceType: 'NON_COMPLIANT',
        previousComplianceType: 'COMPLIANT',
        resourceType: 'AWS::IAM::User',
        resourceId: USER_ID,
        annotation: 'One or more access keys have not been rotated in 90 days.',
        // Identified from the deployed name until triage asks AWS Config for the rule's source identifier.
        rule: { by: 'name', identifier: 'ACCESS_KEYS_ROTATED' },
        severityDeclaredBy: 'playbook',
      },
      notes: [
        'Severity 5: ACCESS_KEYS_ROTATED is declared medium (packages/core/src/playbooks/config-rules.ts) and a playbook acts on it.',
      ],
    });
  });

  it('names any other resource by its type and id, as a non-compliant resource of low severity once compliant', () => {
    const incident = incidentOf(
      normalizeComplianceChange(
        event((_, detail, result) => {
          detail.configRuleName = 'restricted-ssh';
          detail.resourceType = 'AWS::EC2::SecurityGroup';
          detail.resourceId = 'sg-0123';
          result.complianceType = 'COMPLIANT';
          result.annotation = null;
          delete detail.oldEvaluationResult;
        }),
      ),
    );
    expect(incident).toMatchObject({
      category: 'noncompliant-resource',
      severity: severityOf(1),
      type: 'ConfigRule/COMPLIANT',
      description: undefined,
      resources: [
        {
          kind: 'aws-resource',
          role: 'affected',
          resourceType: 'AWS::EC2::SecurityGroup',
          resourceId: 'sg-0123',
        },
      ],
      facts: { previousComplianceType: undefined, annotation: undefined },
    });
  });

  it('takes the account and region of the evaluation over the envelope’s', () => {
    const incident = incidentOf(
      normalizeComplianceChange(
        event((loaded, detail) => {
          loaded.account = '999988887777';
          loaded.region = 'eu-west-1';
          detail.awsAccountId = '123456789012';
          detail.awsRegion = 'us-east-2';
        }),
      ),
    );
    expect(incident).toMatchObject({ account: '123456789012', region: 'us-east-2' });
    const fromEnvelope = incidentOf(
      normalizeComplianceChange(
        event((_, detail) => {
          delete detail.awsAccountId;
          delete detail.awsRegion;
        }),
      ),
    );
    expect(fromEnvelope).toMatchObject({ account: '123456789012', region: 'us-east-1' });
  });

  it('falls back from the recorded time to the notification time to the event time, and rejects an event without any', () => {
    const notified = incidentOf(
      normalizeComplianceChange(
        event((_, detail, result) => {
          delete result.resultRecordedTime;
          detail.notificationCreationTime = '2026-11-02T09:16:00.000Z';
        }),
      ),
    );
    expect(notified.observedAt).toBe('2026-11-02T09:16:00.000Z');
    const timeless = event((loaded, detail, result) => {
      delete result.resultRecordedTime;
      delete detail.notificationCreationTime;
      delete loaded.time;
    });
    expect(normalizeComplianceChange(timeless)).toEqual({
      accepted: false,
      recognised: 'config-compliance-change',
      reason: 'The Config compliance change has no readable time.',
    });
  });

  it('names every missing field, by its path, when it rejects an event', () => {
    const result = normalizeComplianceChange(
      event((loaded, detail) => {
        delete loaded.region;
        delete detail.resourceId;
      }),
    );
    expect(result).toMatchObject({ accepted: false, recognised: 'config-compliance-change' });
    expect(result.accepted ? '' : result.reason).toMatch(
      /^The Config Rules Compliance Change event is missing required fields: region: [^;]+; detail\.resourceId: [^;]+\.$/,
    );
  });
});

describe('baseRuleName', () => {
  it('drops a conformance pack suffix at the end of the rule name only', () => {
    expect(baseRuleName('access-keys-rotated-conformance-pack-k3lqt8bvs')).toBe('access-keys-rotated');
    expect(baseRuleName('ACCESS-KEYS-ROTATED-CONFORMANCE-PACK-K3LQT8BVS')).toBe('ACCESS-KEYS-ROTATED');
    expect(baseRuleName('a-conformance-pack-x1-custom')).toBe('a-conformance-pack-x1-custom');
    expect(baseRuleName('access-keys-rotated')).toBe('access-keys-rotated');
  });

  it('rejects an account that is not an account id, naming the field', () => {
    // Act
    const result = normalizeComplianceChange(
      event((_, detail) => {
        detail.awsAccountId = '12345';
      }),
    );

    // Assess
    expect(result).toEqual({
      accepted: false,
      recognised: 'config-compliance-change',
      reason: 'detail.awsAccountId "12345" is not an AWS account id: account ids are exactly 12 digits.',
    });
  });

  it('gives a result that is not NON_COMPLIANT no severity note', () => {
    // Act
    const incident = incidentOf(
      normalizeComplianceChange(
        event((_, __, result) => {
          result.complianceType = 'COMPLIANT';
        }),
      ),
    );

    // Assess
    expect(incident.notes).toEqual([]);
  });
});
