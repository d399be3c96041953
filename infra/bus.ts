/**
 * The intake bus: the custom event bus in the stage's (home) region that the forwarding rules of every member
 * account and every other region send Cordon's events to (infra/member-account/forwarding.ts), with the
 * resource policy that lets them.
 *
 * Why a bus of its own rather than the default bus: opening the account's default bus to the organization
 * would let every account put events where every rule of the account (not only Cordon's) matches them; the
 * intake bus carries only what Cordon's rules are for. Events that AWS services emit in this account and region
 * still arrive on the default bus, so Cordon's triage rules exist on both (events.ts).
 *
 * AWS facts relied on (EventBridge User Guide):
 * - a receiving bus grants `events:PutEvents` to other accounts, or to a whole organization with
 *   `aws:PrincipalOrgID`, in its resource-based policy ("Permissions for Amazon EventBridge event buses",
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html);
 * - `events:PutEvents` takes the `event-bus` resource type and the `events:source` condition key, the literal
 *   `source` of each event put (Service Authorization Reference, Amazon EventBridge,
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html);
 * - only AWS services emit events whose source begins with `aws.`: a customer's PutEvents may use any source
 *   "as long as it doesn't begin with `aws.`" ("Amazon EventBridge events",
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events.html). Limiting the policy to Cordon's
 *   three `aws.*` sources therefore admits only real GuardDuty, CloudWatch and Config events that a rule
 *   forwarded, never events a member account made up;
 * - the `account` and `region` of a forwarded event stay those of its origin ("region: identifies the AWS
 *   Region where the event originated", same page), which is what intake reads the incident's account and
 *   region from.
 */
import type { EventRule } from '@cordon/core/events/rules';
import type { DeployConfig } from './config.ts';
import type { TemplateValues } from './permissions.ts';

/** The intake bus's name: `cordon-<stage>-intake`. The member forwarding template builds the same name. */
export const INTAKE_BUS_SUFFIX = 'intake';

export function intakeBusName(prefix: string): string {
  return `${prefix}-${INTAKE_BUS_SUFFIX}`;
}

export interface IntakeBus {
  readonly bus: aws.cloudwatch.EventBus;
  readonly policy: aws.cloudwatch.EventBusPolicy;
}

/** The `source` values Cordon's triage rules match, in rule order: the only sources the intake bus accepts. */
export function forwardedSources(rules: readonly EventRule[]): string[] {
  const sources = rules.flatMap((rule) => {
    const source = (rule.pattern as { source?: unknown }).source;
    return Array.isArray(source) ? source.filter((value): value is string => typeof value === 'string') : [];
  });
  return [...new Set(sources)];
}

export interface IntakeBusPolicyInput {
  readonly busArn: string;
  readonly account: string;
  readonly organizationId?: string;
  readonly sources: readonly string[];
}

/**
 * The intake bus's resource policy: `events:PutEvents` of Cordon's sources only, from this account (its other
 * regions forward here) and, when an organization is configured, from every account of the organization.
 *
 * @example
 * JSON.parse(intakeBusPolicy({ busArn, account: '111122223333', organizationId: 'o-abcdefghij', sources: ['aws.guardduty'] }))
 *   .Statement.map((statement) => statement.Sid) // ['ThisAccountForwards', 'OrganizationForwards']
 */
export function intakeBusPolicy(input: IntakeBusPolicyInput): string {
  if (input.sources.length === 0) throw new Error('The intake bus must accept at least one event source');
  // events:source is multivalued (one value per event of the PutEvents request): every one must be Cordon's.
  const onlyCordonSources = { 'ForAllValues:StringEquals': { 'events:source': [...input.sources] } };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ThisAccountForwards',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${input.account}:root` },
        Action: 'events:PutEvents',
        Resource: input.busArn,
        Condition: onlyCordonSources,
      },
      ...(input.organizationId === undefined
        ? []
        : [
            {
              Sid: 'OrganizationForwards',
              Effect: 'Allow',
              Principal: '*',
              Action: 'events:PutEvents',
              Resource: input.busArn,
              Condition: {
                StringEquals: { 'aws:PrincipalOrgID': input.organizationId },
                ...onlyCordonSources,
              },
            },
          ]),
    ],
  });
}

export function createIntakeBus(
  config: DeployConfig,
  values: $util.Output<TemplateValues>,
  rules: readonly EventRule[],
): IntakeBus {
  const bus = new aws.cloudwatch.EventBus('IntakeBus', {
    name: intakeBusName(config.prefix),
    description: `Cordon ${config.stage}: GuardDuty, CloudWatch alarm and Config events forwarded from member accounts and other regions`,
  });
  const sources = forwardedSources(rules);
  const policy = new aws.cloudwatch.EventBusPolicy('IntakeBusPolicy', {
    eventBusName: bus.name,
    policy: $util.all([bus.arn, values]).apply(([busArn, resolved]) =>
      intakeBusPolicy({
        busArn,
        account: resolved.account,
        sources,
        ...(config.organizationId === undefined ? {} : { organizationId: config.organizationId }),
      }),
    ),
  });
  return { bus, policy };
}
