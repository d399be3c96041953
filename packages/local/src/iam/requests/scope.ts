/**
 * What the request model knows about a call besides its input: who makes it, in which account and region,
 * and a read-only view of the account's state (an ENI's instance, a role's path, a group's tags) — read
 * through the service models' own commands, the AWS API surface, never their internals.
 */
import type { RequestContext } from '../conditions.ts';
import type { IamRequest, ResourceRequest } from '../evaluate.ts';

/** Reads the account's state as an API call would answer it; `undefined` when it cannot (no such resource). */
export type StateReader = (
  service: string,
  command: string,
  input: Record<string, unknown>,
) => Promise<unknown>;

export interface CallScope {
  /** The account the call acts in (the principal's). */
  readonly account: string;
  /** The region of the client that sent it. */
  readonly region: string;
  readonly principalArn: string;
  readonly read: StateReader;
}

/** Builds the IAM requests of one command from its input. */
export type RequestBuilder = (
  input: Readonly<Record<string, unknown>>,
  scope: CallScope,
) => readonly IamRequest[] | Promise<readonly IamRequest[]>;

/** The resource of an action that has no resource type: only `"Resource": "*"` matches it. */
export const ALL_RESOURCES: ResourceRequest = { arn: '*' };

/** One IAM request of `action` on `resources`, with the request's own context keys. */
export function request(
  action: string,
  resources: readonly ResourceRequest[],
  context: RequestContext = {},
): IamRequest {
  return { action, resources, context };
}

/** An action with no resource type, and no context of its own. */
export function unscoped(action: string): RequestBuilder {
  return () => [request(action, [ALL_RESOURCES])];
}

/**
 * A resource's tags as condition keys: `aws:ResourceTag/<key>` and the service's own spelling
 * (`ec2:ResourceTag/<key>`, `autoscaling:ResourceTag/<key>`), which the SAR lists beside it.
 */
export function resourceTags(
  tags: readonly { readonly Key?: string; readonly Value?: string }[] | undefined,
  service?: string,
): RequestContext {
  const context: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key === undefined) continue;
    context[`aws:ResourceTag/${tag.Key}`] = tag.Value ?? '';
    if (service !== undefined) context[`${service}:ResourceTag/${tag.Key}`] = tag.Value ?? '';
  }
  return context;
}

/** The tags a request sets, as `aws:RequestTag/<key>` and `aws:TagKeys` (absent when no tag is named). */
export function requestTags(
  tags: readonly { readonly Key?: string; readonly Value?: string }[] | undefined,
): RequestContext {
  const named = (tags ?? []).filter((tag) => tag.Key !== undefined);
  if (named.length === 0) return {};
  const context: Record<string, string | string[]> = { 'aws:TagKeys': named.map((tag) => tag.Key as string) };
  for (const tag of named) {
    if (tag.Value !== undefined) context[`aws:RequestTag/${tag.Key}`] = tag.Value;
  }
  return context;
}

export function text(input: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function texts(input: Readonly<Record<string, unknown>>, key: string): string[] {
  const value = input[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
