import type { AccessKeyResource, Incident } from '../intake/incident.ts';
import type { Settings } from './settings.ts';

/**
 * Where a Cordon deployment runs: its stage and home account. Its functions' roles are
 * `arn:aws:iam::<home account>:role/cordon-<stage>-<function id>` (infra/lambda.ts names each function's role
 * like the function).
 */
export interface CordonIdentity {
  readonly stage: string;
  readonly homeAccount: string;
}

/**
 * The ids of every function Cordon deploys (infra/functions.ts `FUNCTIONS`: one per action, then the platform's
 * own). Written out here rather than read from the action catalog, which would pull every action's SDK code into
 * triage's bundle; infra/test/own-principals.test.ts and core's own test keep the lists equal.
 */
export const CORDON_FUNCTION_IDS = [
  'contain-instance',
  'deregister-from-load-balancers',
  'snapshot-volumes',
  'quarantine-instance-profile',
  'deactivate-access-key',
  'revoke-sessions',
  'disable-console-access',
  'notify',
  'release-instance',
  'revoke-open-ingress',
  'close-default-security-group',
  'release-remediation',
  'release-credentials',
  'block-account-public-access',
  'block-bucket-public-access',
  'require-secure-transport',
  'enable-default-encryption',
  'start-trail-logging',
  'enable-log-file-validation',
  'enable-ebs-default-encryption',
  'make-snapshots-private',
  // --- identity posture ---
  'enforce-password-policy',
  'enable-key-rotation',
  // --- end identity posture ---
  // --- RDS ---
  'make-db-instance-private',
  'make-db-snapshot-private',
  // --- end RDS ---
  'approval-api',
  'request-approval',
  'triage',
  'poller',
  'threshold-sync',
] as const;

/**
 * The actions that act in member accounts, each through its own role there (`<responder prefix>-<action id>`:
 * infra/functions.ts `RESPONDER_FUNCTION_IDS`, the mutating actions of the catalog).
 */
export const MEMBER_ROLE_ACTION_IDS = [
  'contain-instance',
  'deregister-from-load-balancers',
  'snapshot-volumes',
  'quarantine-instance-profile',
  'deactivate-access-key',
  'revoke-sessions',
  'disable-console-access',
  'release-instance',
  'revoke-open-ingress',
  'close-default-security-group',
  'release-remediation',
  'release-credentials',
  'block-account-public-access',
  'block-bucket-public-access',
  'require-secure-transport',
  'enable-default-encryption',
  'start-trail-logging',
  'enable-log-file-validation',
  'enable-ebs-default-encryption',
  'make-snapshots-private',
  // --- identity posture ---
  'enforce-password-policy',
  'enable-key-rotation',
  // --- end identity posture ---
  // --- RDS ---
  'make-db-instance-private',
  'make-db-snapshot-private',
  // --- end RDS ---
] as const;

/** What a finding's principal turned out to be. */
export type PrincipalVerdict =
  | { readonly kind: 'own'; readonly arn: string; readonly why: string }
  | { readonly kind: 'look-alike'; readonly arn: string }
  | { readonly kind: 'other' };

/**
 * The IAM ARN of the principal an access-key finding names: a role for a role session (`AssumedRole`, or a
 * temporary key without a user type; GuardDuty gives the role's name as `userName`), a user for an IAM user;
 * `undefined` when the finding does not name one (root, a federated user, no name).
 *
 * @example principalArnOf({ kind: 'access-key', userName: 'web', userType: 'AssumedRole', … }, '123456789012') // 'arn:aws:iam::123456789012:role/web'
 */
export function principalArnOf(key: AccessKeyResource, account: string): string | undefined {
  const name = key.userName;
  if (name === undefined || name === '') return undefined;
  const role = key.userType === 'AssumedRole' || (key.userType === undefined && key.keyType === 'temporary');
  if (role) return `arn:aws:iam::${account}:role/${name}`;
  if (key.userType === 'IAMUser' || (key.userType === undefined && key.keyType === 'long-term')) {
    return `arn:aws:iam::${account}:user/${name}`;
  }
  return undefined;
}

/**
 * Cordon's own roles in an account: its functions' roles when the account is the deployment's home account,
 * and in any account the member-account roles it assumes there (the actions' `<prefix>-<action id>` and
 * triage's `<prefix>Observer`, `settings.responder.roleName` being the prefix), plus any role ARN listed in
 * `settings.ownPrincipals`. Roles only: Cordon has no IAM user.
 *
 * @example cordonRoleArns('111111111111', settings, { stage: 'prod', homeAccount: '111111111111' }).has('arn:aws:iam::111111111111:role/cordon-prod-triage') // true
 */
export function cordonRoleArns(
  account: string,
  settings: Pick<Settings, 'responder' | 'ownPrincipals'>,
  identity: CordonIdentity | undefined,
): Map<string, string> {
  const roles = new Map<string, string>();
  const arn = (name: string) => `arn:aws:iam::${account}:role/${name}`;
  if (identity !== undefined && identity.homeAccount === account) {
    for (const id of CORDON_FUNCTION_IDS) {
      roles.set(arn(`cordon-${identity.stage}-${id}`), `the role of Cordon's ${id} function`);
    }
  }
  const prefix = settings.responder.roleName;
  for (const id of MEMBER_ROLE_ACTION_IDS) {
    roles.set(arn(`${prefix}-${id}`), `the role Cordon's ${id} assumes in member accounts`);
  }
  roles.set(arn(`${prefix}Observer`), "the read-only role Cordon's triage assumes in member accounts");
  for (const listed of settings.ownPrincipals) {
    // Findings name a role without its path: a listed role is matched by its account and name.
    const [, , , , listedAccount, resource] = listed.split(':');
    const name = resource?.split('/').at(-1);
    if (listedAccount === account && name !== undefined)
      roles.set(arn(name), 'listed in settings.ownPrincipals');
  }
  return roles;
}

/** Names that look like Cordon's (a `cordon` prefix, or the responder prefix) without being its roles. */
function looksLikeCordon(name: string, settings: Pick<Settings, 'responder'>): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('cordon') || lower.startsWith(settings.responder.roleName.toLowerCase());
}

/**
 * Whether the principal an access-key finding names is Cordon's own role (then its findings are Cordon's own
 * doing: ignored, so Cordon does not react to itself, DOMAIN.md item 34), a look-alike (named like Cordon's
 * roles but not one of them, an IAM user `cordon-svc` say: handled like any principal, and the reason says so),
 * or anything else.
 *
 * @example ownPrincipalVerdict(key, incident, settings, identity) // { kind: 'look-alike', arn: 'arn:aws:iam::123456789012:user/cordon-svc' }
 */
export function ownPrincipalVerdict(
  key: AccessKeyResource,
  incident: Pick<Incident, 'account'>,
  settings: Pick<Settings, 'responder' | 'ownPrincipals'>,
  identity: CordonIdentity | undefined,
): PrincipalVerdict {
  const arn = principalArnOf(key, incident.account);
  if (arn === undefined) return { kind: 'other' };
  const why = cordonRoleArns(incident.account, settings, identity).get(arn);
  if (why !== undefined) return { kind: 'own', arn, why };
  return looksLikeCordon(key.userName ?? '', settings) ? { kind: 'look-alike', arn } : { kind: 'other' };
}
