/**
 * The customer-managed key and the two tables: the incident ledger (triage's claims and blast-radius counters
 * included) and the approvals. Both encrypted with the key, both with point-in-time recovery. Each has one
 * global secondary index for operators (`cordon incidents`, `cordon evidence`), so that nothing Scans a table:
 * the ledger's decisions by month (sparse: triage's entries only), the approvals by incident.
 */
import { APPROVALS_INDEX, DECISIONS_INDEX } from '@cordon/core/ledger/indexes';
import type { DeployConfig } from './config.ts';
import type { TemplateValues } from './permissions.ts';

export interface Storage {
  readonly key: aws.kms.Key;
  readonly ledger: aws.dynamodb.Table;
  readonly approvals: aws.dynamodb.Table;
}

/**
 * The key policy. Principals of the account use the key only *through* DynamoDB, SSM and SNS (kms:ViaService),
 * so access to the data stays governed by those services' IAM permissions; CloudWatch alarms and EventBridge may
 * publish to the encrypted topic. The account root keeps administration, as in AWS's default key policy, so the
 * key can never become unmanageable.
 */
export function keyPolicy(values: TemplateValues): string {
  const { account, region } = values;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountAdministersTheKey',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'UseThroughCordonServices',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:DescribeKey',
          'kms:CreateGrant',
        ],
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:CallerAccount': account,
            'kms:ViaService': [
              `dynamodb.${region}.amazonaws.com`,
              `ssm.${region}.amazonaws.com`,
              `sns.${region}.amazonaws.com`,
            ],
          },
        },
      },
      {
        Sid: 'AlarmsAndEventsPublishToTheTopic',
        Effect: 'Allow',
        Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ],
  });
}

/** A global secondary index projecting every attribute (on-demand tables need no capacity for it). */
interface IndexShape {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

function table(
  logical: string,
  name: string,
  key: aws.kms.Key,
  config: DeployConfig,
  shape: { hashKey: string; rangeKey?: string; ttl: string; pitr: boolean; index: IndexShape },
): aws.dynamodb.Table {
  // Every key attribute, of the table and of its index, once (string keys throughout).
  const keyAttributes = [
    ...new Set([
      shape.hashKey,
      ...(shape.rangeKey === undefined ? [] : [shape.rangeKey]),
      shape.index.partitionKey,
      shape.index.sortKey,
    ]),
  ];
  return new aws.dynamodb.Table(
    logical,
    {
      name,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: shape.hashKey,
      ...(shape.rangeKey === undefined ? {} : { rangeKey: shape.rangeKey }),
      attributes: keyAttributes.map((attribute) => ({ name: attribute, type: 'S' })),
      globalSecondaryIndexes: [
        {
          name: shape.index.name,
          hashKey: shape.index.partitionKey,
          rangeKey: shape.index.sortKey,
          projectionType: 'ALL',
        },
      ],
      ttl: { attributeName: shape.ttl, enabled: true },
      pointInTimeRecovery: { enabled: shape.pitr },
      serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
      deletionProtectionEnabled: config.protect,
    },
    { retainOnDelete: config.protect },
  );
}

export function createStorage(config: DeployConfig, values: $util.Output<TemplateValues>): Storage {
  const key = new aws.kms.Key(
    'CordonKey',
    {
      description: `Cordon ${config.stage}: ledger, approvals, secrets, notifications`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: values.apply(keyPolicy),
    },
    { retainOnDelete: config.protect },
  );
  new aws.kms.Alias('CordonKeyAlias', { name: `alias/${config.prefix}`, targetKeyId: key.keyId });
  return {
    key,
    ledger: table('CordonLedger', `${config.prefix}-ledger`, key, config, {
      hashKey: 'incidentId',
      rangeKey: 'sk',
      ttl: 'expiresAt',
      pitr: true,
      index: DECISIONS_INDEX,
    }),
    approvals: table('CordonApprovals', `${config.prefix}-approvals`, key, config, {
      hashKey: 'approvalId',
      ttl: 'expiresAtEpoch',
      pitr: true,
      index: APPROVALS_INDEX,
    }),
  };
}
