import type { Settings } from '../policy/settings.ts';

/**
 * The names of the roles Cordon uses in a member account. `settings.responder.roleName` is their common
 * prefix (`CordonResponder` by default): each action that changes an account has its own role,
 * `<prefix>-<action id>` (`CordonResponder-isolate-instance`), holding that action's permissions only and
 * trusted by that action's function only; triage reads through `<prefix>Observer`. IAM role names stop at 64
 * characters and the longest action id (`deregister-from-load-balancers`) has 30, so the prefix may have at
 * most {@link ROLE_PREFIX_MAX_LENGTH}.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("Role name: 64 characters")
 */
export const ROLE_PREFIX_MAX_LENGTH = 33;

/**
 * The role an action assumes in a member account.
 *
 * @example actionRoleName({ responder: { roleName: 'CordonResponder' } }, 'isolate-instance') // 'CordonResponder-isolate-instance'
 */
export function actionRoleName(settings: Pick<Settings, 'responder'>, actionId: string): string {
  return `${settings.responder.roleName}-${actionId}`;
}
