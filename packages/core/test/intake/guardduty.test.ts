import { describe, expect, it } from 'vitest';
import { loadEvent } from '../../../../test/support/events.ts';
import { type GuardDutyEnvelope, normalizeGuardDutyFinding } from '../../src/intake/guardduty.ts';
import type { Incident } from '../../src/intake/incident.ts';
import type { IntakeResult } from '../../src/intake/result.ts';

// The unit tests of guardduty.ts (issue 18: each asserts something a mutant of the normalizer changed without
// any test noticing). Findings are the real events of shared/events; where no real event exists for a resource
// type, a real finding's `resource` is swapped for the documented details object
// (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Resource.html).

type Json = Record<string, unknown>;

const RAW: GuardDutyEnvelope = { shape: 'raw' };

function acceptedIncident(result: IntakeResult): Incident {
  if (!result.accepted) throw new Error(`expected the finding to be accepted, got: ${result.reason}`);
  return result.incident;
}

function reasonOf(result: IntakeResult): string {
  if (result.accepted) throw new Error('expected the finding to be rejected');
  return result.reason;
}

/** The `detail` of a real EventBridge event, or a real raw finding. */
function finding(name: string): Json {
  const event = loadEvent(name);
  return (name.includes('/eb-') ? event.detail : event) as Json;
}

const S3_FINDING = 'guardduty/raw-s3-pentest-parrotlinux.json';
const EC2_EVENT = 'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json';

/** A real finding whose resource is replaced: the GuardDuty fields of one resource type, and nothing else. */
function findingWithResource(resource: Json): Json {
  return { ...finding(S3_FINDING), resource };
}

describe('normalizeGuardDutyFinding: what is not a finding', () => {
  it.each([
    ['null', null],
    ['an array', [finding(S3_FINDING)]],
    ['a string', 'PenTest:S3/ParrotLinux'],
  ])('rejects %s as not a JSON object', (_, input) => {
    expect(normalizeGuardDutyFinding(input, RAW)).toEqual({
      accepted: false,
      recognised: 'guardduty-finding',
      reason: 'The GuardDuty finding is not a JSON object.',
    });
  });

  it('names every missing required field, by its path, in one reason', () => {
    const { id: _id, accountId: _accountId, ...rest } = finding(S3_FINDING);
    const reason = reasonOf(normalizeGuardDutyFinding(rest, RAW));
    expect(reason).toMatch(/^The GuardDuty finding is missing required fields: /);
    expect(reason).toMatch(/\bid: [^;]+; accountId: [^;]+\.$/);
  });

  it('rejects a finding with no region when the envelope has none either, and takes the envelope region otherwise', () => {
    const { region: _region, ...noRegion } = finding(S3_FINDING);
    const message = 'The GuardDuty finding names no region, and neither does its envelope.';
    expect(normalizeGuardDutyFinding(noRegion, RAW)).toEqual({
      accepted: false,
      recognised: 'guardduty-finding',
      reason: message,
    });
    expect(reasonOf(normalizeGuardDutyFinding({ ...noRegion, region: '' }, RAW))).toBe(message);
    expect(reasonOf(normalizeGuardDutyFinding(noRegion, { shape: 'raw', region: '' }))).toBe(message);
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(noRegion, { shape: 'raw', region: 'eu-west-1' }),
    );
    expect(incident.region).toBe('eu-west-1');
    expect(incident.id).toBe('guardduty-123456789012-eu-west-1-2cbf285e52a6e74ff96f4cb3cf93296d');
  });

  it("prefers the finding's own region to the envelope's", () => {
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(finding(S3_FINDING), { shape: 'raw', region: 'eu-west-1' }),
    );
    expect(incident.region).toBe('us-east-1');
  });

  it('rejects a finding without a readable time, and falls back from updatedAt to createdAt to the envelope time', () => {
    const base = finding(S3_FINDING);
    const noTimes = { ...base, updatedAt: 'not a time', createdAt: undefined };
    expect(normalizeGuardDutyFinding(noTimes, RAW)).toEqual({
      accepted: false,
      recognised: 'guardduty-finding',
      reason: 'The GuardDuty finding has no readable updatedAt/createdAt time.',
    });
    const fromCreated = acceptedIncident(
      normalizeGuardDutyFinding({ ...noTimes, createdAt: '2024-05-01T10:00:00Z' }, RAW),
    );
    expect(fromCreated.updatedAt).toBe('2024-05-01T10:00:00.000Z');
    const fromEnvelope = acceptedIncident(
      normalizeGuardDutyFinding(noTimes, { shape: 'raw', time: '2024-06-01T08:00:00Z' }),
    );
    expect(fromEnvelope.updatedAt).toBe('2024-06-01T08:00:00.000Z');
    const own = acceptedIncident(
      normalizeGuardDutyFinding(
        { ...base, createdAt: '2020-01-01T00:00:00Z' },
        { shape: 'raw', time: '2024-06-01T08:00:00Z' },
      ),
    );
    expect(own.updatedAt).toBe('2022-01-13T00:00:47.437Z');
  });

  it('observes the finding at its last-seen event, or at its update time when it has none', () => {
    const base = finding(S3_FINDING);
    const service = base.service as Json;
    const seen = acceptedIncident(
      normalizeGuardDutyFinding(
        { ...base, service: { ...service, eventLastSeen: '2022-01-12T23:59:00Z' } },
        RAW,
      ),
    );
    expect(seen.observedAt).toBe('2022-01-12T23:59:00.000Z');
    const unseen = acceptedIncident(
      normalizeGuardDutyFinding({ ...base, service: { ...service, eventLastSeen: undefined } }, RAW),
    );
    expect(unseen.observedAt).toBe('2022-01-13T00:00:47.437Z');
  });
});

describe('normalizeGuardDutyFinding: the incident', () => {
  it('is recognised as an EventBridge finding or a raw one, by the envelope', () => {
    expect(normalizeGuardDutyFinding(finding(EC2_EVENT), { shape: 'eventbridge' }).recognised).toBe(
      'guardduty-eventbridge',
    );
    expect(normalizeGuardDutyFinding(finding(EC2_EVENT), RAW).recognised).toBe('guardduty-finding');
  });

  it('records the facts of the finding as GuardDuty gave them', () => {
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(finding(EC2_EVENT), { shape: 'eventbridge' }),
    );
    expect(incident.facts).toEqual({
      source: 'guardduty',
      findingType: 'Backdoor:EC2/C&CActivity.B!DNS',
      resourceType: 'Instance',
      actionType: 'DNS_REQUEST',
      connectionDirection: undefined,
      resourceRole: 'TARGET',
      featureName: undefined,
      api: undefined,
      findingFamily: 'ec2-command-and-control',
      knownType: true,
      archived: false,
      shape: 'eventbridge',
      requiresApproval: false,
    });
  });

  it('records the API, the feature, the connection direction and the archived flag when the finding has them', () => {
    const base = finding(S3_FINDING);
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(
        {
          ...base,
          service: {
            ...(base.service as Json),
            archived: true,
            featureName: 'CloudTrail',
            action: {
              actionType: 'AWS_API_CALL',
              awsApiCallAction: { api: 'GetObject' },
              networkConnectionAction: { connectionDirection: 'OUTBOUND' },
            },
          },
        },
        RAW,
      ),
    );
    expect(incident.facts).toMatchObject({
      actionType: 'AWS_API_CALL',
      api: 'GetObject',
      featureName: 'CloudTrail',
      connectionDirection: 'OUTBOUND',
      archived: true,
    });
  });

  it('converts a PascalCase finding on purpose, says so, and marks the shape', () => {
    const event = loadEvent('guardduty/eb-pascalcase-rds-discovery-toripcaller.json');
    const incident = acceptedIncident(normalizeGuardDutyFinding(event.detail, { shape: 'eventbridge' }));
    expect(incident.facts).toMatchObject({ shape: 'eventbridge-pascalcase' });
    expect(incident.notes[0]).toBe(
      'The finding used PascalCase keys (the AWS SDK casing, not what EventBridge delivers); Cordon converted it to camelCase on purpose.',
    );
    const camel = acceptedIncident(normalizeGuardDutyFinding(finding(EC2_EVENT), { shape: 'eventbridge' }));
    expect(camel.notes.join(' ')).not.toContain('PascalCase');
  });

  it('notes a finding delivered to another account (a delegated administrator), and only then', () => {
    const delegated = acceptedIncident(
      normalizeGuardDutyFinding(finding(S3_FINDING), { shape: 'eventbridge', account: '999988887777' }),
    );
    expect(delegated.account).toBe('123456789012');
    expect(delegated.notes).toContain(
      'Delivered in account 999988887777 for member account 123456789012 (GuardDuty delegated administrator).',
    );
    const own = acceptedIncident(
      normalizeGuardDutyFinding(finding(S3_FINDING), { shape: 'eventbridge', account: '123456789012' }),
    );
    expect(own.notes.join(' ')).not.toContain('Delivered in account');
    const none = acceptedIncident(normalizeGuardDutyFinding(finding(S3_FINDING), RAW));
    expect(none.notes.join(' ')).not.toContain('Delivered in account');
  });

  it("ends the notes with the catalog's rationale", () => {
    const incident = acceptedIncident(normalizeGuardDutyFinding(finding(EC2_EVENT), RAW));
    expect(incident.notes.at(-1)).toMatch(/command-and-control|C&C|command/i);
    expect(incident.notes).toHaveLength(1);
  });

  it('takes the title, or the type when there is none, and counts a finding without a count once', () => {
    const base = finding(S3_FINDING);
    const titled = acceptedIncident(normalizeGuardDutyFinding(base, RAW));
    expect(titled.title).toBe(base.title);
    expect(titled.count).toBe((base.service as Json).count);
    const bare = acceptedIncident(
      normalizeGuardDutyFinding(
        { ...base, title: undefined, service: { ...(base.service as Json), count: undefined } },
        RAW,
      ),
    );
    expect(bare.title).toBe('PenTest:S3/ParrotLinux');
    expect(bare.count).toBe(1);
  });
});

describe('normalizeGuardDutyFinding: sample findings (DOMAIN.md item 2)', () => {
  const withInfo = (additionalInfo: unknown) => {
    const base = finding(S3_FINDING);
    return acceptedIncident(
      normalizeGuardDutyFinding({ ...base, service: { ...(base.service as Json), additionalInfo } }, RAW),
    ).sample;
  };

  it('reads sample as a boolean, as the string "true", and inside the JSON string of additionalInfo.value', () => {
    expect(withInfo({ sample: true })).toBe(true);
    expect(withInfo({ sample: 'true' })).toBe(true);
    expect(withInfo({ type: 'default', value: '{"sample":true}' })).toBe(true);
  });

  it('is not a sample otherwise, whatever additionalInfo holds', () => {
    expect(withInfo(undefined)).toBe(false);
    expect(withInfo(null)).toBe(false);
    expect(withInfo('sample')).toBe(false);
    expect(withInfo({ sample: false })).toBe(false);
    expect(withInfo({ sample: 'yes' })).toBe(false);
    expect(withInfo({ value: '{"sample":false}' })).toBe(false);
    expect(withInfo({ value: '{"sample":"true"}' })).toBe(false);
    expect(withInfo({ value: 'null' })).toBe(false);
    expect(withInfo({ value: 'true' })).toBe(false);
    expect(withInfo({ value: '{not json' })).toBe(false);
    expect(withInfo({ value: { sample: true } })).toBe(false);
    // Only a JSON string is parsed: an array holding one would read as its text.
    expect(withInfo({ value: ['{"sample":true}'] })).toBe(false);
  });
});

describe('normalizeGuardDutyFinding: resources', () => {
  it('adds the account as a resource to an attack sequence only', () => {
    const sequence = acceptedIncident(
      normalizeGuardDutyFinding(
        loadEvent('guardduty/raw-attacksequence-iam-compromised-credentials-panther.json'),
        RAW,
      ),
    );
    expect(sequence.resources.filter((r) => r.kind === 'account')).toEqual([
      { kind: 'account', role: 'affected', accountId: '123456789012' },
    ]);
    for (const name of [S3_FINDING, EC2_EVENT, 'guardduty/eb-iam-toripcaller-custodian.json']) {
      const incident = acceptedIncident(normalizeGuardDutyFinding(finding(name), RAW));
      expect(incident.resources.map((r) => r.kind)).not.toContain('account');
    }
  });

  it('has no resources when the finding has none', () => {
    const { resource: _resource, ...bare } = finding(S3_FINDING);
    expect(acceptedIncident(normalizeGuardDutyFinding(bare, RAW)).resources).toEqual([]);
  });

  it('names each S3 bucket of an S3 finding as affected, skips a bucket without a name, and makes the key the actor', () => {
    const base = finding(S3_FINDING);
    const resource = base.resource as Json;
    const buckets = [
      ...(resource.s3BucketDetails as Json[]),
      { arn: 'arn:aws:s3:::unnamed' },
      { name: 'second-bucket' },
    ];
    const incident = acceptedIncident(
      normalizeGuardDutyFinding({ ...base, resource: { ...resource, s3BucketDetails: buckets } }, RAW),
    );
    expect(incident.resources.filter((r) => r.kind === 'aws-resource')).toEqual([
      { kind: 'aws-resource', role: 'affected', resourceType: 'AWS::S3::Bucket', resourceId: 'bucketName' },
      {
        kind: 'aws-resource',
        role: 'affected',
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'second-bucket',
      },
    ]);
    expect(incident.resources.find((r) => r.kind === 'access-key')).toMatchObject({ role: 'actor' });
    // The instance details GuardDuty adds to an S3 finding are context, never a target.
    expect(incident.resources.find((r) => r.kind === 'ec2-instance')).toMatchObject({ role: 'related' });
  });

  it('names the RDS instance of an RDS finding', () => {
    const event = loadEvent('guardduty/eb-pascalcase-rds-discovery-toripcaller.json');
    const incident = acceptedIncident(normalizeGuardDutyFinding(event.detail, { shape: 'eventbridge' }));
    const detail = event.detail as Json;
    const rds = (detail.Resource as Json).RdsDbInstanceDetails as Json;
    expect(incident.resources).toEqual([
      {
        kind: 'aws-resource',
        role: 'affected',
        resourceType: 'AWS::RDS::DBInstance',
        resourceId: rds.DbInstanceIdentifier,
      },
    ]);
  });

  it.each([
    ['EKSCluster', { eksClusterDetails: { name: 'prod-cluster' } }, 'AWS::EKS::Cluster', 'prod-cluster'],
    ['Lambda', { lambdaDetails: { functionName: 'payments' } }, 'AWS::Lambda::Function', 'payments'],
    ['ECSCluster', { ecsClusterDetails: { name: 'web' } }, 'AWS::ECS::Cluster', 'web'],
    [
      'RDSDBInstance',
      { rdsDbInstanceDetails: { dbInstanceIdentifier: 'orders-db' } },
      'AWS::RDS::DBInstance',
      'orders-db',
    ],
  ])('names the %s of a finding as an affected %s', (resourceType, details, type, id) => {
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(findingWithResource({ resourceType, ...details }), RAW),
    );
    expect(incident.resources).toEqual([
      { kind: 'aws-resource', role: 'affected', resourceType: type, resourceId: id },
    ]);
  });

  it('names nothing for a details object without its name', () => {
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(
        findingWithResource({
          resourceType: 'EKSCluster',
          eksClusterDetails: {},
          lambdaDetails: {},
          ecsClusterDetails: {},
          rdsDbInstanceDetails: {},
        }),
        RAW,
      ),
    );
    expect(incident.resources).toEqual([]);
  });

  it('gives the classified role to the instance of an instance finding, with its interfaces, groups, profile and tags', () => {
    const base = finding(EC2_EVENT);
    const resource = base.resource as Json;
    const details = resource.instanceDetails as Json;
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(
        {
          ...base,
          resource: {
            ...resource,
            instanceDetails: {
              ...details,
              iamInstanceProfile: { arn: 'arn:aws:iam::883606788610:instance-profile/web' },
              tags: [
                { key: 'Name', value: 'web-1' },
                { key: 'Empty', value: null },
              ],
              networkInterfaces: [
                {
                  networkInterfaceId: 'eni-0a1b2c3d',
                  subnetId: 'subnet-1',
                  vpcId: 'vpc-1',
                  privateIpAddress: '10.0.0.5',
                  publicIp: '198.51.100.7',
                  securityGroups: [{ groupId: 'sg-1', groupName: 'web' }],
                },
                { networkInterfaceId: 'eni-ffff' },
              ],
            },
          },
        },
        RAW,
      ),
    );
    expect(incident.resources).toEqual([
      {
        kind: 'ec2-instance',
        role: 'compromised',
        instanceId: details.instanceId,
        instanceType: details.instanceType,
        availabilityZone: details.availabilityZone,
        instanceProfileArn: 'arn:aws:iam::883606788610:instance-profile/web',
        networkInterfaces: [
          {
            networkInterfaceId: 'eni-0a1b2c3d',
            subnetId: 'subnet-1',
            vpcId: 'vpc-1',
            privateIpAddress: '10.0.0.5',
            publicIp: '198.51.100.7',
            securityGroups: [{ groupId: 'sg-1', groupName: 'web' }],
          },
          {
            networkInterfaceId: 'eni-ffff',
            subnetId: undefined,
            vpcId: undefined,
            privateIpAddress: undefined,
            publicIp: undefined,
            securityGroups: [],
          },
        ],
        tags: { Name: 'web-1', Empty: '' },
      },
    ]);
  });

  it('gives the classified role to the key of an access-key finding, and only "related" to an instance it also names (DOMAIN.md 6)', () => {
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(loadEvent('guardduty/raw-iam-recon-maliciousipcaller-custom.json'), RAW),
    );
    expect(incident.resources.map((r) => [r.kind, r.role])).toEqual([
      ['access-key', 'compromised'],
      ['ec2-instance', 'related'],
    ]);
  });

  it('without a resource type, takes a lone access key as the primary resource, and otherwise the instance', () => {
    const base = finding('guardduty/raw-iam-recon-maliciousipcaller-custom.json');
    const resource = base.resource as Json;
    const keyOnly = acceptedIncident(
      normalizeGuardDutyFinding({ ...base, resource: { accessKeyDetails: resource.accessKeyDetails } }, RAW),
    );
    expect(keyOnly.resources.map((r) => [r.kind, r.role])).toEqual([['access-key', 'compromised']]);
    const both = acceptedIncident(
      normalizeGuardDutyFinding(
        {
          ...base,
          resource: {
            accessKeyDetails: resource.accessKeyDetails,
            instanceDetails: resource.instanceDetails,
          },
        },
        RAW,
      ),
    );
    expect(both.resources.map((r) => [r.kind, r.role])).toEqual([
      ['access-key', 'actor'],
      ['ec2-instance', 'compromised'],
    ]);
  });

  it('keeps the access key as GuardDuty named it', () => {
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(finding('guardduty/eb-iam-toripcaller-custodian.json'), RAW),
    );
    const details = (finding('guardduty/eb-iam-toripcaller-custodian.json').resource as Json)
      .accessKeyDetails as Json;
    expect(incident.resources[0]).toEqual({
      kind: 'access-key',
      role: expect.any(String),
      accessKeyId: details.accessKeyId,
      keyType: expect.any(String),
      userType: details.userType,
      userName: details.userName,
      principalId: details.principalId,
    });
  });

  it.each([
    ['AKIAIOSFODNN7EXAMPLE', 'AssumedRole', 'long-term'],
    ['ASIAIOSFODNN7EXAMPLE', 'IAMUser', 'temporary'],
    ['GeneratedFindingAccessKeyId', 'IAMUser', 'long-term'],
    ['GeneratedFindingAccessKeyId', 'AssumedRole', 'temporary'],
    ['GeneratedFindingAccessKeyId', 'FederatedUser', 'unknown'],
    [undefined, undefined, 'unknown'],
  ])('calls key %s of a %s %s (the prefix first, then the user type)', (accessKeyId, userType, keyType) => {
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(
        findingWithResource({ resourceType: 'AccessKey', accessKeyDetails: { accessKeyId, userType } }),
        RAW,
      ),
    );
    expect(incident.resources[0]).toMatchObject({ kind: 'access-key', keyType });
  });
});

// Issue 18: a finding that carries only the required fields, and what the normalizer still reads right.
describe('normalizeGuardDutyFinding: a bare finding', () => {
  const bare = () => {
    const {
      service: _service,
      resource: _resource,
      title: _title,
      description: _description,
      ...rest
    } = finding(S3_FINDING);
    return rest;
  };

  it('is accepted without a service or a resource, with the defaults a responder expects', () => {
    const incident = acceptedIncident(normalizeGuardDutyFinding(bare(), RAW));
    expect(incident).toMatchObject({
      source: 'guardduty',
      account: '123456789012',
      region: 'us-east-1',
      title: 'PenTest:S3/ParrotLinux',
      description: undefined,
      count: 1,
      sample: false,
      resources: [],
      nativeId: '2cbf285e52a6e74ff96f4cb3cf93296d',
      observedAt: incident.updatedAt,
    });
    expect(incident.facts).toMatchObject({
      resourceRole: undefined,
      featureName: undefined,
      actionType: undefined,
      archived: false,
    });
  });

  it('has an instance with no interfaces and no tags when GuardDuty gives none', () => {
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(
        { ...bare(), resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0abc' } } },
        RAW,
      ),
    );
    expect(incident.resources).toEqual([
      expect.objectContaining({
        kind: 'ec2-instance',
        instanceId: 'i-0abc',
        networkInterfaces: [],
        tags: {},
      }),
    ]);
  });

  it('classifies by the access key details: a call by the root user is root activity whatever the type', () => {
    const base = finding('guardduty/eb-iam-toripcaller-custodian.json');
    const resource = base.resource as Json;
    const incident = acceptedIncident(
      normalizeGuardDutyFinding(
        {
          ...base,
          resource: {
            ...resource,
            accessKeyDetails: { ...(resource.accessKeyDetails as Json), userType: 'Root' },
          },
        },
        RAW,
      ),
    );
    expect(incident.facts).toMatchObject({ findingFamily: 'root-activity' });
    expect(incident.category).toBe('root-activity');
  });
});
