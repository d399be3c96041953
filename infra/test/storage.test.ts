import { DETECTIONS } from '@cordon/core/detections/alarms';
import { putMetricAlarmInput } from '@cordon/core/detections/thresholds';
import { APPROVALS_INDEX, DECISIONS_INDEX } from '@cordon/core/ledger/indexes';
import {
  DEFAULT_SETTINGS,
  parseSettings,
  SETTINGS_PARAMETERS,
  settingsFromParameters,
} from '@cordon/core/policy/settings';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployConfig } from '../config.ts';
import { GENERATED_SECRETS } from '../notifications.ts';
import { settingsDefaults } from '../settings.ts';
import { type Deployment, deployUnderMocks } from './harness.ts';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:cordon-test-notifications';
let deployment: Deployment;

beforeAll(async () => {
  deployment = await deployUnderMocks(
    deployConfig('test', { CORDON_NOTIFY_EMAIL: 'secops@example.com', CORDON_TRAIL_LOG_GROUP: 'org-trail' }),
  );
});

function parameter(name: string) {
  return deployment.named('aws:ssm/parameter:Parameter', name);
}

describe('storage', () => {
  it('encrypts with a customer-managed key that rotates', () => {
    const [key] = deployment.ofType('aws:kms/key:Key');

    expect(key?.inputs.enableKeyRotation).toBe(true);
    const statements = JSON.parse(String(key?.inputs.policy)).Statement;
    expect(statements[1].Condition.StringEquals['kms:ViaService']).toEqual([
      'dynamodb.eu-west-1.amazonaws.com',
      'ssm.eu-west-1.amazonaws.com',
      'sns.eu-west-1.amazonaws.com',
    ]);
  });

  it('keeps the ledger keyed by incident, expiring, recoverable and encrypted with the key', () => {
    const ledger = deployment.named('aws:dynamodb/table:Table', 'cordon-test-ledger');

    expect(ledger.inputs).toMatchObject({
      hashKey: 'incidentId',
      rangeKey: 'sk',
      attributes: [
        { name: 'incidentId', type: 'S' },
        { name: 'sk', type: 'S' },
        { name: 'decisionMonth', type: 'S' },
      ],
      ttl: { attributeName: 'expiresAt', enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
    });
  });

  it('indexes the ledger’s decisions by month (sparse: only triage’s entries carry decisionMonth), the index the incidents commands read', () => {
    const ledger = deployment.named('aws:dynamodb/table:Table', 'cordon-test-ledger');

    expect(ledger.inputs.globalSecondaryIndexes).toEqual([
      { name: DECISIONS_INDEX.name, hashKey: 'decisionMonth', rangeKey: 'sk', projectionType: 'ALL' },
    ]);
  });

  it('indexes approvals by incident on attributes every approval record holds (incidentId, requestedAt)', () => {
    const approvals = deployment.named('aws:dynamodb/table:Table', 'cordon-test-approvals');

    expect(approvals.inputs.globalSecondaryIndexes).toEqual([
      { name: APPROVALS_INDEX.name, hashKey: 'incidentId', rangeKey: 'requestedAt', projectionType: 'ALL' },
    ]);
    expect(approvals.inputs.attributes).toEqual([
      { name: 'approvalId', type: 'S' },
      { name: 'incidentId', type: 'S' },
      { name: 'requestedAt', type: 'S' },
    ]);
  });

  it('keeps approvals with their TTL attribute, recoverable and encrypted with the key', () => {
    expect(deployment.named('aws:dynamodb/table:Table', 'cordon-test-approvals').inputs).toMatchObject({
      hashKey: 'approvalId',
      ttl: { attributeName: 'expiresAtEpoch', enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
    });
  });

  it('has no other table (no idempotency table: triage deduplicates with its claim in the ledger)', () => {
    const [key] = deployment.ofType('aws:kms/key:Key');

    expect(
      deployment
        .ofType('aws:dynamodb/table:Table')
        .map((table) => String(table.inputs.name))
        .sort(),
    ).toEqual(['cordon-test-approvals', 'cordon-test-ledger']);
    expect(String(key?.inputs.description)).toBe('Cordon test: ledger, approvals, secrets, notifications');
  });
});

describe('notifications', () => {
  it('encrypt the topic with the key and subscribe the configured address', () => {
    const topic = deployment.named('aws:sns/topic:Topic', 'cordon-test-notifications');
    const [subscription] = deployment.ofType('aws:sns/topicSubscription:TopicSubscription');

    expect(topic.inputs.kmsMasterKeyId).toBe(KEY_ARN);
    expect(subscription?.inputs).toMatchObject({
      protocol: 'email',
      endpoint: 'secops@example.com',
      topic: TOPIC_ARN,
    });
  });

  it('create the signing secrets as random SecureStrings, and leave the Slack credentials to the team', () => {
    const values = new Set<unknown>();
    for (const name of GENERATED_SECRETS) {
      const secret = parameter(`/cordon/test/secrets/${name}`).inputs;
      expect(secret).toMatchObject({ type: 'SecureString', keyId: KEY_ARN });
      expect(String(secret.value)).toMatch(/^[\w-]{43}$/);
      values.add(secret.value);
    }
    expect(values.size).toBe(GENERATED_SECRETS.length);
    expect(() => parameter('/cordon/test/secrets/slack-bot-token')).toThrow();
    expect(() => parameter('/cordon/test/secrets/slack-webhook-url')).toThrow();
  });
});

describe('settings', () => {
  it('create every settings parameter that has a default, with that default', () => {
    const expected = settingsDefaults(deployConfig('test', {}));
    const withDefault = SETTINGS_PARAMETERS.filter((entry) => entry.default !== undefined).map(
      (entry) => entry.name,
    );

    expect(Object.keys(expected).sort()).toEqual([...withDefault].sort());
    for (const [name, value] of Object.entries(expected)) {
      expect(parameter(`/cordon/test/settings/${name}`).inputs, name).toMatchObject({
        type: 'String',
        value,
      });
    }
  });

  it('read back, through the settings loader’s parser, as the default settings', () => {
    const { raw, errors } = settingsFromParameters(settingsDefaults(deployConfig('test', {})));
    const parsed = parseSettings(raw);

    expect(errors).toEqual([]);
    expect(parsed.ok && parsed.settings).toEqual(DEFAULT_SETTINGS);
  });

  it('write the approval API URL where request-approval reads it', () => {
    expect(parameter('/cordon/test/approval/base-url').inputs.value).toBe(
      'https://approval-api-url.lambda-url.example/',
    );
  });
});

describe('detections', () => {
  it('deploy one filter, one alarm and three threshold parameters per CIS detection (CloudWatch.1–14)', () => {
    const names: string[] = DETECTIONS.map((detection) => detection.alarmName).sort();
    const thresholds = deployment
      .ofType('aws:ssm/parameter:Parameter')
      .filter((candidate) => String(candidate.inputs.name).startsWith('/cordon/test/detections/'));

    expect(DETECTIONS).toHaveLength(14);
    expect(
      deployment
        .ofType('aws:cloudwatch/logMetricFilter:LogMetricFilter')
        .map((filter) => String(filter.inputs.name))
        .sort(),
    ).toEqual(names);
    expect(
      deployment
        .ofType('aws:cloudwatch/metricAlarm:MetricAlarm')
        .map((alarm) => String(alarm.inputs.name))
        .filter((name) => names.includes(name))
        .sort(),
    ).toEqual(names);
    expect(thresholds).toHaveLength(3 * DETECTIONS.length);
  });

  it('filter the trail log group with the CIS patterns', () => {
    for (const detection of DETECTIONS) {
      expect(
        deployment.named('aws:cloudwatch/logMetricFilter:LogMetricFilter', detection.alarmName).inputs,
      ).toMatchObject({
        logGroupName: 'org-trail',
        pattern: detection.filterPattern,
        metricTransformation: { name: detection.metricName, namespace: detection.namespace, value: '1' },
      });
    }
  });

  it('alarm with the same definition threshold-sync applies, notifying the topic', () => {
    for (const detection of DETECTIONS) {
      const expected = putMetricAlarmInput(detection, detection.defaults, { alarmActions: [TOPIC_ARN] });

      expect(
        deployment.named('aws:cloudwatch/metricAlarm:MetricAlarm', detection.alarmName).inputs,
      ).toMatchObject({
        metricName: expected.MetricName,
        namespace: expected.Namespace,
        statistic: expected.Statistic,
        period: expected.Period,
        evaluationPeriods: expected.EvaluationPeriods,
        threshold: expected.Threshold,
        comparisonOperator: expected.ComparisonOperator,
        treatMissingData: expected.TreatMissingData,
        alarmActions: [TOPIC_ARN],
      });
    }
  });

  it('keep the thresholds as SSM parameters with the defaults', () => {
    for (const detection of DETECTIONS) {
      const base = `/cordon/test/detections/${detection.alarmName}`;
      expect(parameter(`${base}/threshold`).inputs.value).toBe(String(detection.defaults.threshold));
      expect(parameter(`${base}/evaluation-periods`).inputs.value).toBe(
        String(detection.defaults.evaluationPeriods),
      );
      expect(parameter(`${base}/period-seconds`).inputs.value).toBe(String(detection.defaults.periodSeconds));
    }
  });
});
