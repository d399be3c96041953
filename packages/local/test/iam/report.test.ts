import { describe, expect, it } from 'vitest';
import type { EvaluatedCall } from '../../src/iam/authorizer.ts';
import { IamPolicyUnsupportedError } from '../../src/iam/errors.ts';
import { parsePolicy } from '../../src/iam/policy.ts';
import type { PrincipalPolicies } from '../../src/iam/principals.ts';
import { CALLED_BY_LAMBDA, iamReport, roleName } from '../../src/iam/report.ts';
import type { RecordedCall } from '../../src/sandbox/types.ts';

const A = 'arn:aws:iam::111111111111:role/cordon-test-poller';
const B = 'arn:aws:iam::111111111111:role/cordon-test-threshold-sync';

function principal(
  arn: string,
  actions: string[],
  kind: PrincipalPolicies['kind'] = 'function',
): PrincipalPolicies {
  return {
    arn,
    kind,
    functionId: roleName(arn),
    statements: parsePolicy(
      { Statement: { Effect: 'Allow', Action: actions, Resource: '*' } },
      roleName(arn),
    ),
  };
}

function call(
  principalArn: string | undefined,
  service: string,
  command: string,
  iam?: 'allowed' | 'denied',
): RecordedCall {
  return {
    service,
    command,
    input: {},
    ...(principalArn === undefined ? {} : { principal: principalArn }),
    ...(iam === undefined ? {} : { iam }),
    outcome: iam === 'denied' ? 'AccessDeniedException' : 'ok',
    startedAt: 0,
    latencyMs: 0,
  };
}

describe('iamReport', () => {
  const principals = [
    principal(A, ['guardduty:ListDetectors', 'guardduty:ListFindings', ...CALLED_BY_LAMBDA]),
    principal(B, ['cloudwatch:PutMetricAlarm']),
  ];

  it('lists the denied calls, the unevaluated ones, and the grants the callers never used', async () => {
    const calls = [
      call(A, 'GuardDuty', 'ListDetectors', 'allowed'),
      call(A, 'GuardDuty', 'GetFindings', 'denied'),
      call(A, 'GuardDuty', 'ListFindings'),
      call(undefined, 'GuardDuty', 'ListFindings'),
    ];

    const report = await iamReport(calls, { principals });

    expect(report.denied.map((each) => each.command)).toEqual(['GetFindings']);
    expect(report.unevaluated.map((each) => each.command)).toEqual(['ListFindings']);
    // ListFindings was called (unevaluated, but called); the Lambda service's own log and trace writes are not Cordon's.
    expect(report.unused).toEqual([]);
  });

  it('with scope all, reports a principal that never called at all, and matches roles by name across accounts', async () => {
    const elsewhere = A.replace('111111111111', '222222222222');
    const report = await iamReport([call(elsewhere, 'GuardDuty', 'ListDetectors', 'allowed')], {
      principals,
      scope: 'all',
    });

    expect(report.unused).toEqual([
      { role: 'cordon-test-poller', actions: ['guardduty:ListFindings'] },
      { role: 'cordon-test-threshold-sync', actions: ['cloudwatch:PutMetricAlarm'] },
    ]);
  });

  it('takes the actions from the authorizer’s evaluations when given (requests that depend on state)', async () => {
    const evaluations: EvaluatedCall[] = [
      {
        principal: A,
        service: 'GuardDuty',
        command: 'ListDetectors',
        decision: 'allowed',
        requests: ['guardduty:ListDetectors', 'guardduty:ListFindings'].map((action) => ({
          request: { action, resources: [{ arn: '*' }], context: {} },
          evaluation: { answer: 'allowed' as const, reason: '', allowedBy: [] },
        })),
      },
    ];
    const report = await iamReport([call(A, 'GuardDuty', 'ListDetectors', 'allowed')], {
      principals,
      evaluations,
    });
    expect(report.unused).toEqual([]);
  });

  it('refuses to report on an Allow with NotAction (its grants cannot be listed)', async () => {
    const wide: PrincipalPolicies = {
      arn: A,
      kind: 'function',
      functionId: 'poller',
      statements: parsePolicy({ Statement: { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } }, 'wide'),
    };
    await expect(
      iamReport([call(A, 'GuardDuty', 'ListDetectors', 'allowed')], { principals: [wide] }),
    ).rejects.toThrow(IamPolicyUnsupportedError);
  });
});
