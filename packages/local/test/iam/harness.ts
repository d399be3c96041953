/**
 * Test support: runs Cordon's real code on the sandbox with each call made by the principal that makes it in
 * AWS, and the IAM authorizer installed. Until the local deployment attaches every client with its principal,
 * this harness attributes calls itself: the code runs "as" a function (AsyncLocalStorage), and each call goes
 * out as that function's role — or, for an incident in a member account, as that function's member-account
 * role (every service but Cordon's own: DynamoDB, SNS, SSM, Step Functions, Lambda), after an
 * `sts:AssumeRole` evaluated against both the function's policy and the member role's trust policy.
 * Services the sandbox has no model for (Step Functions, Lambda, GuardDuty, CloudWatch) get a minimal stub
 * that answers like AWS, so the real handlers' calls go through the sandbox, are authorized and recorded.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DEFAULT_PROVIDERS } from '@aws-lambda-powertools/parameters/base';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ACTIONS } from '@cordon/core/actions/catalog';
import {
  parseSettings,
  SETTINGS_PARAMETERS,
  type SettingsResult,
  settingsPath,
} from '@cordon/core/policy/settings';
import { createSettingsLoader } from '@cordon/functions/settings';
import { type CordonAuthorizer, cordonAuthorizer } from '../../src/iam/authorizer.ts';
import {
  type CordonDeployment,
  functionRoleArn,
  memberActionRoleArn,
  memberObserverRoleArn,
} from '../../src/iam/principals.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import type { Principal, RecordedCall, ServiceModel } from '../../src/sandbox/types.ts';

export const STAGE = 'local';
export const EXTERNAL_ID = 'cordon-local-external-id';

/** Cordon's own services: their resources live in the home account, so calls to them use the function's role. */
const HOME_SERVICES = new Set(['DynamoDB', 'SNS', 'SSM', 'SFN', 'Lambda', 'GuardDuty', 'CloudWatch']);

/** Functions that read the settings when they start (action handler, triage, request-approval, poller). */
const READS_SETTINGS = new Set([...Object.keys(ACTIONS), 'triage', 'request-approval', 'poller']);

function stub(service: string, commands: ServiceModel['commands']): ServiceModel {
  return { service, commands, snapshot: () => ({}) };
}

/**
 * Minimal answers for the services the sandbox does not model, shaped like the SDK's outputs. GuardDuty
 * answers with `findings` (real ones, from the bundled events).
 */
export function stubModels(findings: readonly unknown[] = []): ServiceModel[] {
  return [
    stub('SFN', {
      StartExecution: (input) => ({
        executionArn: `${String(input.stateMachineArn)}:${String(input.name)}`,
        startDate: new Date(),
      }),
      SendTaskSuccess: () => ({}),
      SendTaskFailure: () => ({}),
    }),
    stub('Lambda', { Invoke: () => ({ StatusCode: 202 }) }),
    stub('GuardDuty', {
      ListDetectors: () => ({ DetectorIds: ['12abc34d567e8fa901bc2d34e56789f0'] }),
      ListFindings: () => ({
        FindingIds: findings.map((finding) => (finding as { id?: string }).id ?? 'finding'),
      }),
      GetFindings: () => ({ Findings: structuredClone(findings) }),
    }),
    stub('CloudWatch', { PutMetricAlarm: () => ({}) }),
  ];
}

/** Writes settings into the sandbox's SSM in the deployed layout, so the real loader reads them. */
export function putSettings(
  sandbox: Sandbox,
  stage: string,
  overrides: Record<string, unknown>,
): SettingsResult {
  const parsed = parseSettings(overrides);
  if (!parsed.ok) throw new Error(parsed.reason);
  for (const parameter of SETTINGS_PARAMETERS) {
    let value: unknown = parsed.settings;
    for (const key of parameter.path) value = (value as Record<string, unknown> | undefined)?.[key];
    if (value === undefined) continue;
    const text =
      parameter.type === 'json'
        ? JSON.stringify(value)
        : Array.isArray(value)
          ? value.join(',')
          : String(value);
    sandbox.ssm.putParameter({ name: `${settingsPath(stage)}${parameter.name}`, value: text });
  }
  return parsed;
}

export interface IamHarness {
  readonly sandbox: Sandbox;
  readonly deployment: CordonDeployment;
  readonly authorizer: CordonAuthorizer;
  /** Whether the incident's account is a member account (calls go through member roles). */
  readonly member: boolean;
  /** Runs `work` as function `functionId`: every sandbox call in it is made with that function's principal. */
  as<T>(functionId: string, work: () => Promise<T>): Promise<T>;
  /** For LocalEngine's `onStep`: each step's calls are made as its function (request-approval included). */
  onStep(execution: string, run: { readonly id: string; readonly status: string }): void;
  /** Real SSM client of the sandbox (for Powertools providers). */
  ssmClient(): SSMClient;
  /** Stops attributing (restores the Powertools default provider). */
  close(): void;
}

export interface IamHarnessOptions {
  /** The incident's account is a member account: Cordon's home account is another one. */
  readonly member?: boolean;
  /** What the GuardDuty stub answers the poller. */
  readonly findings?: readonly unknown[];
}

/**
 * Installs the authorizer and the attribution on a seeded sandbox.
 *
 * @example const h = iamHarness(sandbox); await h.as('triage', () => triageIncident(incident, ports));
 */
export function iamHarness(sandbox: Sandbox, options: IamHarnessOptions = {}): IamHarness {
  const member = options.member === true;
  // The sandbox is one account: in member mode the member roles are that account's too, which keeps every
  // call's resources in the account that holds them (Cordon's topic, tables and the instance alike).
  const incidentAccount = sandbox.account.accountId;
  const homeAccount = incidentAccount;
  const deployment: CordonDeployment = {
    stage: STAGE,
    // The sandbox names Cordon's tables and topic as infra names a stage's: `cordon-local-ledger`, … (seed.ts).
    homeAccount,
    region: sandbox.account.region,
  };
  for (const model of stubModels(options.findings)) sandbox.account.register(model);
  const authorizer = cordonAuthorizer({ deployment, sandbox, externalId: EXTERNAL_ID });
  sandbox.account.authorizeWith(authorizer);

  const current = new AsyncLocalStorage<string>();
  const assumed = new Set<string>();
  const started = new Set<string>();
  const home = (functionId: string): Principal => ({
    arn: functionRoleArn(deployment, functionId),
    account: homeAccount,
  });
  const memberRole = (functionId: string): Principal => ({
    arn:
      functionId === 'triage'
        ? memberObserverRoleArn(deployment, incidentAccount)
        : memberActionRoleArn(deployment, incidentAccount, functionId),
    account: incidentAccount,
  });
  const original = sandbox.account.dispatch.bind(sandbox.account);

  // In AWS the credential provider calls sts:AssumeRole before the first call in the member account.
  const assume = async (functionId: string, role: Principal) => {
    if (assumed.has(role.arn)) return;
    assumed.add(role.arn);
    await original(
      'STS',
      'AssumeRole',
      {
        RoleArn: role.arn,
        RoleSessionName: `cordon-${functionId}`,
        ExternalId: EXTERNAL_ID,
        DurationSeconds: 900,
      },
      { principal: home(functionId) },
    ).catch(() => undefined); // the sandbox's STS may not know the role; the IAM answer is what is recorded
  };

  // In AWS each function reads its settings (and notify its Slack webhook) before its first call.
  const coldStart = async (functionId: string) => {
    if (started.has(functionId) || !READS_SETTINGS.has(functionId)) return;
    started.add(functionId);
    await current.run(functionId, async () => {
      const provider = new SSMProvider({ awsSdkV3Client: ssmClient() });
      await createSettingsLoader({ stage: STAGE, ssmProvider: provider }).load();
      if (functionId === 'notify') {
        await provider
          .get(`/cordon/${STAGE}/secrets/slack-webhook-url`, { decrypt: true })
          .catch(() => undefined);
      }
    });
  };

  sandbox.account.dispatch = async (service, command, input, attach = {}) => {
    if (attach.principal !== undefined) return original(service, command, input, attach);
    const functionId = current.getStore() ?? 'triage';
    await coldStart(functionId);
    let principal = home(functionId);
    if (member && !HOME_SERVICES.has(service)) {
      principal = memberRole(functionId);
      await assume(functionId, principal);
    }
    return original(service, command, input, { ...attach, principal });
  };

  let ssm: SSMClient | undefined;
  const ssmClient = () => {
    ssm ??= sandbox.account.attach(
      new SSMClient({
        region: sandbox.account.region,
        credentials: { accessKeyId: 'AKIASANDBOX000000000', secretAccessKey: 'x' },
      }),
    );
    return ssm;
  };
  // Powertools' getParameter (the approval secrets, notify's webhook) reads through the sandbox too.
  const previous = DEFAULT_PROVIDERS.ssm;
  DEFAULT_PROVIDERS.ssm = new SSMProvider({ awsSdkV3Client: ssmClient() });

  return {
    sandbox,
    deployment,
    authorizer,
    member,
    as: (functionId, work) => current.run(functionId, work),
    onStep: (_execution, run) => {
      // Called synchronously inside the engine's task handler, before it awaits the step: the step's calls,
      // and only they, run in the context entered here.
      if (run.status === 'running') current.enterWith(run.id);
    },
    ssmClient,
    close: () => {
      if (previous === undefined) delete DEFAULT_PROVIDERS.ssm;
      else DEFAULT_PROVIDERS.ssm = previous;
    },
  };
}

/** Every call the sandbox recorded that a principal made. */
export function attributedCalls(sandbox: Sandbox): RecordedCall[] {
  return sandbox.account.calls.filter((call) => call.principal !== undefined);
}
