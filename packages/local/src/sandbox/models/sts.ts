import type {
  AssumeRoleCommandInput,
  AssumeRoleCommandOutput,
  GetCallerIdentityCommandOutput,
} from '@aws-sdk/client-sts';
import { serviceErrors } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';
import type { IamModel } from './iam.ts';
import { replaceState, reviveDate } from './restore-state.ts';

// `AccessDenied` and `ValidationError` are not modelled by the SDK: their name is the wire code.
const stsError = serviceErrors('STS');

/** Who the sandbox's callers are: an assumed-role session by default, as Cordon's functions run. */
export interface CallerIdentity {
  readonly arn: string;
  readonly userId: string;
}

export interface StsModelOptions {
  /** The IAM model of this account: `AssumeRole` may name its roles. */
  readonly iam: IamModel;
  /** Member accounts whose roles `AssumeRole` may name, by account id (GuardDuty delegated admin). */
  readonly memberAccounts?: Readonly<Record<string, IamModel>>;
  readonly caller?: CallerIdentity;
}

/** One session `AssumeRole` issued, for assertions. */
export interface IssuedSession {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly accessKeyId: string;
  readonly externalId?: string;
  readonly expiration: Date;
}

export interface StsState {
  sessions: IssuedSession[];
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * The STS model: `AssumeRole` into roles of this account or of member accounts,
 * enforcing the role's external id.
 *
 * @example
 * const iam = new IamModel(sandbox.context).addRole({ roleName: 'cordon-responder', externalId: 'x-1' });
 * sandbox.register(iam).register(new StsModel(sandbox.context, { iam }));
 */
export class StsModel implements ServiceModel {
  public readonly service = 'STS';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly state: StsState = { sessions: [] };
  private readonly caller: CallerIdentity;

  public constructor(
    private readonly context: SandboxContext,
    private readonly options: StsModelOptions,
  ) {
    this.caller = options.caller ?? {
      arn: `arn:aws:sts::${context.accountId}:assumed-role/cordon-sandbox/sandbox`,
      userId: 'AROASANDBOXCALLER0001:sandbox',
    };
    this.commands = {
      AssumeRole: typed((input: AssumeRoleCommandInput) => this.assumeRole(input)),
      GetCallerIdentity: typed((_input: unknown, context: SandboxContext) => this.callerIdentity(context)),
    };
  }

  /**
   * GetCallerIdentity: who the credentials belong to — the principal the client was attached with (an IAM user
   * as its ARN, a role as the session of it, `assumed-role/<role>/<session>`, as AWS answers for role
   * credentials), else the sandbox's default caller. It needs no permission
   * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
   */
  private callerIdentity(context: SandboxContext): Out<GetCallerIdentityCommandOutput> {
    const caller = context.caller;
    if (caller === undefined) {
      return { UserId: this.caller.userId, Account: this.context.accountId, Arn: this.caller.arn };
    }
    const role = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(caller.arn);
    if (role !== null) {
      return {
        UserId: `AROA${hashId(caller.arn)}:sandbox`,
        Account: caller.account,
        Arn: `arn:aws:sts::${role[1]}:assumed-role/${role[2]}/sandbox`,
      };
    }
    return { UserId: `AIDA${hashId(caller.arn)}`, Account: caller.account, Arn: caller.arn };
  }

  /** The sessions issued so far (a copy). */
  public sessions(): IssuedSession[] {
    return structuredClone(this.state.sessions);
  }

  public snapshot(): StsState {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: StsState): void {
    replaceState(this.state, state);
    this.state.sessions = this.state.sessions.map((session) => ({
      ...session,
      expiration: reviveDate(session.expiration),
    }));
  }

  private assumeRole(input: AssumeRoleCommandInput): Out<AssumeRoleCommandOutput> {
    const sessionName = String(input.RoleSessionName);
    if (!SESSION_NAME.test(sessionName)) {
      throw stsError(
        'ValidationError',
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    const match = ROLE_ARN.exec(String(input.RoleArn));
    const [accountId, roleName] = [match?.[1], match?.[2]];
    if (accountId === undefined || roleName === undefined) {
      throw stsError('ValidationError', `${String(input.RoleArn)} is invalid`);
    }
    const denied = () =>
      stsError(
        'AccessDenied',
        `User: ${this.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${String(input.RoleArn)}`,
      );
    const iam =
      accountId === this.context.accountId ? this.options.iam : this.options.memberAccounts?.[accountId];
    const role = iam?.findRole(roleName);
    // AWS says the same thing for a missing role as for a trust policy that refuses: no oracle for names.
    if (role === undefined || role.arn !== input.RoleArn) throw denied();
    if (role.externalId !== undefined && role.externalId !== input.ExternalId) throw denied();
    const duration = input.DurationSeconds ?? 3600;
    if (duration < 900) {
      throw stsError(
        'ValidationError',
        `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
      );
    }
    if (duration > role.maxSessionDuration) {
      throw stsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const accessKeyId = this.context.nextId('ASIA', 16).replace('-', '').toUpperCase();
    const expiration = new Date(this.context.now().getTime() + duration * 1000);
    this.state.sessions.push({
      roleArn: role.arn,
      roleSessionName: sessionName,
      accessKeyId,
      ...(input.ExternalId === undefined ? {} : { externalId: input.ExternalId }),
      expiration,
    });
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: `sandbox-secret-${accessKeyId}`,
        SessionToken: `sandbox-session-token-${accessKeyId}`,
        Expiration: expiration,
      },
      AssumedRoleUser: {
        AssumedRoleId: `${role.roleId}:${sessionName}`,
        Arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      },
    };
  }
}

/** A stable, id-shaped stand-in for the unique id IAM gives a user or role (`AIDA…`, `AROA…`). */
function hashId(arn: string): string {
  let hash = 0;
  for (const character of arn) hash = (Math.imul(hash, 31) + character.charCodeAt(0)) >>> 0;
  return hash.toString(16).toUpperCase().padStart(16, '0');
}
