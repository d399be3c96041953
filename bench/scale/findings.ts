/**
 * GuardDuty findings for the scale model, built from the real events the project keeps (the EventBridge
 * C&C finding for instances, the TorIPCaller finding for an access key), with the fields a storm varies:
 * account, Region, finding id and type, severity, the instance and its network interface, the key, the
 * re-publication count. The sample flag is removed (the model plays real findings).
 */
import { createHash } from 'node:crypto';
import { loadEvent } from '../../test/support/events.ts';

const EC2_TEMPLATE = 'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json';
const KEY_TEMPLATE = 'guardduty/eb-iam-toripcaller-custodian.json';

type Json = Record<string, unknown>;

/** 17 hex digits from a label: ids that are valid AWS ids and the same on every run. */
export function hexId(label: string, length = 17): string {
  return createHash('sha256').update(label).digest('hex').slice(0, length);
}

/** A GuardDuty finding id (32 hex) for a label. */
export function findingIdOf(label: string): string {
  return hexId(`finding:${label}`, 32);
}

export interface InstanceFindingSpec {
  readonly account: string;
  readonly region: string;
  readonly findingId: string;
  readonly type: string;
  readonly severity: number;
  readonly instanceId: string;
  /** The instance's network interfaces (all in one VPC and subnet). */
  readonly eniIds: readonly string[];
  readonly vpcId: string;
  readonly subnetId: string;
  readonly groupId: string;
  /** `PORT_PROBE` (a victim), `NETWORK_CONNECTION` with a direction, or `DNS_REQUEST` (the template's). */
  readonly action?:
    | { readonly actionType: 'PORT_PROBE' }
    | { readonly actionType: 'NETWORK_CONNECTION'; readonly direction: 'INBOUND' | 'OUTBOUND' };
  readonly tags?: Readonly<Record<string, string>>;
}

export interface KeyFindingSpec {
  readonly account: string;
  readonly region: string;
  readonly findingId: string;
  readonly type: string;
  readonly severity: number;
  readonly userName: string;
  readonly accessKeyId: string;
  readonly ip: string;
}

function base(template: string): Json {
  const event = loadEvent<Json>(template);
  delete (event as { debug?: unknown }).debug;
  const detail = event.detail as Json;
  const service = detail.service as Json;
  delete (service.additionalInfo as Json | undefined)?.sample;
  return event;
}

const templates = new Map<string, Json>();

function fromTemplate(template: string): Json {
  let event = templates.get(template);
  if (event === undefined) {
    event = base(template);
    templates.set(template, event);
  }
  return structuredClone(event);
}

function envelope(
  event: Json,
  spec: { account: string; region: string; findingId: string; type: string; severity: number },
) {
  const detail = event.detail as Json;
  event.account = spec.account;
  event.region = spec.region;
  event.id = `${hexId(`event:${spec.findingId}`, 8)}-0000-0000-0000-${hexId(`event-tail:${spec.findingId}`, 12)}`;
  detail.accountId = spec.account;
  detail.region = spec.region;
  detail.id = spec.findingId;
  detail.arn = `arn:aws:guardduty:${spec.region}:${spec.account}:detector/${hexId(`detector:${spec.account}`, 32)}/finding/${spec.findingId}`;
  detail.type = spec.type;
  detail.severity = spec.severity;
  return detail;
}

/** A finding about an instance, as EventBridge delivers it. */
export function instanceFinding(spec: InstanceFindingSpec): Json {
  const event = fromTemplate(EC2_TEMPLATE);
  const detail = envelope(event, spec);
  detail.title = `${spec.type} on ${spec.instanceId}`;
  detail.description = `${spec.type} on ${spec.instanceId}.`;
  detail.resource = {
    resourceType: 'Instance',
    instanceDetails: {
      instanceId: spec.instanceId,
      instanceState: 'running',
      tags: Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value })),
      networkInterfaces: spec.eniIds.map((networkInterfaceId, index) => ({
        networkInterfaceId,
        vpcId: spec.vpcId,
        subnetId: spec.subnetId,
        privateIpAddress: `10.0.${index}.10`,
        securityGroups: [{ groupId: spec.groupId, groupName: 'web' }],
      })),
    },
  };
  const service = detail.service as Json;
  if (spec.action?.actionType === 'PORT_PROBE') {
    service.action = { actionType: 'PORT_PROBE', portProbeAction: { blocked: false, portProbeDetails: [] } };
  } else if (spec.action?.actionType === 'NETWORK_CONNECTION') {
    service.action = {
      actionType: 'NETWORK_CONNECTION',
      networkConnectionAction: {
        connectionDirection: spec.action.direction,
        protocol: 'TCP',
        blocked: false,
      },
    };
  }
  return event;
}

/** A finding about an IAM user's access key, used from `ip`. */
export function keyFinding(spec: KeyFindingSpec): Json {
  const event = fromTemplate(KEY_TEMPLATE);
  const detail = envelope(event, spec);
  detail.title = `${spec.type} by ${spec.userName}`;
  detail.description = `${spec.type}: API calls with ${spec.accessKeyId} from ${spec.ip}.`;
  detail.resource = {
    resourceType: 'AccessKey',
    accessKeyDetails: {
      userName: spec.userName,
      userType: 'IAMUser',
      principalId: `AIDA${hexId(`principal:${spec.userName}`, 16).toUpperCase()}`,
      accessKeyId: spec.accessKeyId,
    },
  };
  const service = detail.service as Json;
  const action = service.action as Json;
  const call = action.awsApiCallAction as Json;
  call.serviceName = 'ec2.amazonaws.com';
  call.api = 'DescribeInstances';
  (call.remoteIpDetails as Json).ipAddressV4 = spec.ip;
  delete (call as { affectedResources?: unknown }).affectedResources;
  return event;
}

/** The same finding re-published by GuardDuty: a higher `count`, a later `updatedAt`. */
export function republished(event: Json, count: number, at: Date): Json {
  const copy = structuredClone(event);
  const detail = copy.detail as Json;
  (detail.service as Json).count = count;
  (detail.service as Json).eventLastSeen = at.toISOString();
  detail.updatedAt = at.toISOString();
  copy.id = `${hexId(`event:${String(detail.id)}:${count}`, 8)}-0000-0000-0000-${hexId(`tail:${count}:${String(detail.id)}`, 12)}`;
  copy.time = at.toISOString();
  return copy;
}

/** Dates the finding at `at` (first seen, updated, the event's time), as GuardDuty would publish it then. */
export function stamped(event: Json, at: Date): Json {
  const detail = event.detail as Json;
  const service = detail.service as Json;
  detail.createdAt = at.toISOString();
  detail.updatedAt = at.toISOString();
  service.eventFirstSeen = at.toISOString();
  service.eventLastSeen = at.toISOString();
  event.time = at.toISOString();
  return event;
}
