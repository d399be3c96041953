/**
 * Each defect the review of issue 11 found, put back into the deployed policies, is caught by the evaluation:
 * the request Cordon really sends (taken from a flow's evaluations, with the account's state) is denied by
 * the doctored policy and allowed by the deployed one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, loadFixture } from '../../../../test/support/events.ts';
import type { EvaluatedCall } from '../../src/iam/authorizer.ts';
import { evaluate, evaluateTrust, type IamRequest } from '../../src/iam/evaluate.ts';
import type { Statement } from '../../src/iam/policy.ts';
import { functionRoleArn, memberActionRoleArn } from '../../src/iam/principals.ts';
import { type Flow, runFlow, runScheduledFunctions } from './flows.ts';

const EC2_EVENT = 'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json';

let ec2: Flow;
let stale: Flow;
let member: Flow;

beforeAll(async () => {
  ec2 = await runFlow(loadEvent(EC2_EVENT), {
    settings: { includeSampleFindings: true },
    findings: [(loadEvent(EC2_EVENT) as { detail: unknown }).detail],
  });
  expect((await ec2.run('ec2-release')).status).toBe('SUCCEEDED');
  await runScheduledFunctions(ec2.harness);
  stale = await runFlow(loadFixture('config-access-keys-rotated-noncompliant.json'));
  member = await runFlow(loadEvent(EC2_EVENT), { settings: { includeSampleFindings: true }, member: true });
});

afterAll(() => {
  for (const flow of [ec2, stale, member]) flow?.harness.close();
});

/** The request a function's call really made, as the authorizer evaluated it. */
function requestOf(flow: Flow, functionId: string, action: string): IamRequest {
  const arn = functionRoleArn(flow.harness.deployment, functionId);
  const evaluated = flow.harness.authorizer.evaluations
    .filter((each: EvaluatedCall) => each.principal === arn)
    .flatMap((each) => each.requests)
    .find((each) => each.request.action === action);
  if (evaluated === undefined) throw new Error(`${functionId} made no ${action} request`);
  expect(evaluated.evaluation.answer).toBe('allowed');
  return evaluated.request;
}

function statementsOf(flow: Flow, functionId: string): readonly Statement[] {
  return flow.harness.authorizer.policiesOf(functionRoleArn(flow.harness.deployment, functionId)).statements;
}

/** The deployed statements with the ones `pick` selects changed by `change`. */
function doctored(
  statements: readonly Statement[],
  pick: (statement: Statement) => boolean,
  change: (statement: Statement) => Statement,
): Statement[] {
  const result = statements.map((statement) => (pick(statement) ? change(statement) : statement));
  expect(result).not.toEqual(statements);
  return result;
}

const grants = (action: string) => (statement: Statement) =>
  statement.effect === 'Allow' && (statement.actions ?? []).includes(action);

describe('the review’s findings, put back, are caught', () => {
  it('SendTaskSuccess granted on the state machines (no resource type) would be denied: approvals never delivered', () => {
    const request = requestOf(ec2, 'approval-api', 'states:SendTaskSuccess');
    const machines = `arn:aws:states:${ec2.harness.deployment.region}:${ec2.harness.deployment.homeAccount}:stateMachine:cordon-ec2-compromise`;
    const old = doctored(
      statementsOf(ec2, 'approval-api'),
      grants('states:SendTaskSuccess'),
      (statement) => ({
        ...statement,
        resources: [machines],
      }),
    );

    expect(request.resources).toEqual([{ arn: '*' }]);
    expect(evaluate(old, request).answer).toBe('implicit-deny');
    expect(evaluate(statementsOf(ec2, 'approval-api'), request).answer).toBe('allowed');
  });

  it('ListFindings/GetFindings granted on detector/* would be denied: the poller would be dead', () => {
    for (const action of ['guardduty:ListFindings', 'guardduty:GetFindings']) {
      const request = requestOf(ec2, 'poller', action);
      const old = doctored(statementsOf(ec2, 'poller'), grants(action), (statement) => ({
        ...statement,
        resources: ['arn:aws:guardduty:*:*:detector/*'],
      }));
      expect(evaluate(old, request).answer, action).toBe('implicit-deny');
    }
  });

  it('ListUsers granted on user/* would be denied: stale-credentials could not find its user', () => {
    const request = requestOf(stale, 'deactivate-access-key', 'iam:ListUsers');
    const old = doctored(
      statementsOf(stale, 'deactivate-access-key'),
      grants('iam:ListUsers'),
      (statement) => ({
        ...statement,
        resources: ['arn:aws:iam::*:user/*'],
      }),
    );
    expect(evaluate(old, request).answer).toBe('implicit-deny');
  });

  it('release’s ENI change without the instance resource type would be denied (the ENI is attached)', () => {
    const request = requestOf(ec2, 'release-instance', 'ec2:ModifyNetworkInterfaceAttribute');
    const old = doctored(
      statementsOf(ec2, 'release-instance'),
      grants('ec2:ModifyNetworkInterfaceAttribute'),
      (statement) => ({
        ...statement,
        resources: (statement.resources ?? []).filter((arn) => !arn.includes(':instance/')),
      }),
    );

    expect(request.resources.map((resource) => resource.type)).toContain('instance');
    expect(evaluate(old, request)).toMatchObject({
      answer: 'implicit-deny',
      reason: expect.stringContaining('(instance)'),
    });
  });

  it('DeleteTags under ForAllValues alone lets a request naming no key delete every tag, the exemption tag too', () => {
    const named = requestOf(ec2, 'release-instance', 'ec2:DeleteTags');
    const everyTag: IamRequest = { ...named, context: { ...named.context, 'aws:TagKeys': [] } };
    const deployed = statementsOf(ec2, 'release-instance');
    const hole = doctored(deployed, grants('ec2:DeleteTags'), (statement) => ({
      ...statement,
      conditions: statement.conditions.filter((test) => test.operator !== 'Null'),
    }));

    expect(evaluate(hole, everyTag).answer).toBe('allowed'); // the guard Deny's ForAnyValue is false too
    expect(evaluate(deployed, everyTag).answer).toBe('implicit-deny');
    expect(evaluate(deployed, named).answer).toBe('allowed');
    const exempt: IamRequest = { ...named, context: { ...named.context, 'aws:TagKeys': ['cordon:exempt'] } };
    expect(evaluate(deployed, exempt).answer).toBe('explicit-deny');
  });

  it('notify may publish to Cordon’s topic only', () => {
    const request = requestOf(ec2, 'notify', 'sns:Publish');
    const elsewhere: IamRequest = {
      ...request,
      resources: [
        { arn: request.resources[0]?.arn.replace(/[^:]+$/, 'someone-elses-topic') ?? '', type: 'topic' },
      ],
    };
    expect(evaluate(statementsOf(ec2, 'notify'), elsewhere).answer).toBe('implicit-deny');
  });
});

describe('member accounts: one role per action, each trusted by its own function only', () => {
  it('one action’s role holds no other action’s grant (snapshot-volumes cannot write role policies or pass roles)', () => {
    const { deployment, sandbox } = member.harness;
    const snapshotRole = member.harness.authorizer.policiesOf(
      memberActionRoleArn(deployment, sandbox.account.accountId, 'snapshot-volumes'),
    );
    const putRolePolicy = requestOf(ec2, 'quarantine-instance-profile', 'iam:PutRolePolicy');
    const passRole = requestOf(ec2, 'release-instance', 'iam:PassRole');

    expect(evaluate(snapshotRole.statements, putRolePolicy).answer).toBe('implicit-deny');
    expect(evaluate(snapshotRole.statements, passRole).answer).toBe('implicit-deny');
  });

  it('an action’s function may assume only its own role, and that role trusts only it (any stage)', () => {
    const { deployment, sandbox, authorizer } = member.harness;
    const account = sandbox.account.accountId;
    const isolate = functionRoleArn(deployment, 'contain-instance');
    const assume = (roleArn: string): IamRequest => ({
      action: 'sts:AssumeRole',
      resources: [{ arn: roleArn, type: 'role' }],
      context: { 'aws:PrincipalArn': isolate },
    });
    const own = memberActionRoleArn(deployment, account, 'contain-instance');
    const release = memberActionRoleArn(deployment, account, 'release-instance');
    const caller = authorizer.policiesOf(isolate).statements;

    expect(evaluate(caller, assume(own)).answer).toBe('allowed');
    expect(evaluate(caller, assume(release)).answer).toBe('implicit-deny');
    const trustOf = (arn: string) => authorizer.policiesOf(arn).trust ?? [];
    const context = (principal: string, externalId = 'cordon-local-external-id') => ({
      'aws:PrincipalArn': principal,
      'sts:ExternalId': externalId,
    });
    expect(evaluateTrust(trustOf(own), isolate, context(isolate)).answer).toBe('allowed');
    expect(evaluateTrust(trustOf(release), isolate, context(isolate)).answer).toBe('implicit-deny');
    const otherStage = isolate.replace('cordon-local-', 'cordon-eu-west-1-');
    expect(evaluateTrust(trustOf(own), otherStage, context(otherStage)).answer).toBe('allowed');
    expect(evaluateTrust(trustOf(own), isolate, context(isolate, 'guessed')).answer).toBe('implicit-deny');
  });

  it('quarantine-instance-profile may pass the quarantine role only', () => {
    const { deployment, sandbox, authorizer } = member.harness;
    const role = authorizer.policiesOf(
      memberActionRoleArn(deployment, sandbox.account.accountId, 'quarantine-instance-profile'),
    );
    const pass = (roleName: string): IamRequest => ({
      action: 'iam:PassRole',
      resources: [{ arn: `arn:aws:iam::${sandbox.account.accountId}:role/${roleName}`, type: 'role' }],
      context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    });
    expect(evaluate(role.statements, pass('CordonQuarantine')).answer).toBe('allowed');
    expect(evaluate(role.statements, pass('AdministratorAccessRole')).answer).toBe('implicit-deny');
  });
});
