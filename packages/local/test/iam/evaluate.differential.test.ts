/**
 * Differential test: Cordon's evaluator and @cloud-copilot/iam-simulate (AGPL-3.0, a devDependency used here
 * as an oracle only, never imported by src/ or bundled: see no-agpl-in-bundles.test.ts) answer the same
 * randomly generated policies and requests the same way. The vocabulary is the one Cordon's policies use:
 * its actions and ARN shapes, the operators on its condition keys (set operators on aws:TagKeys and
 * dynamodb:LeadingKeys, Null, IfExists, ARN and date operators).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../src/iam/conditions.ts';
import { evaluate, type IamAnswer } from '../../src/iam/evaluate.ts';
import { type PolicyStatementJson, parsePolicy } from '../../src/iam/policy.ts';

const ACCOUNT = '111122223333';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/cordon-test-isolate-instance`;

interface Case {
  readonly action: string;
  readonly resource: string;
  /** The condition keys valid for this action (iam-simulate checks them against the SAR). */
  readonly keys: readonly string[];
}

const EC2_KEYS = ['aws:TagKeys', 'aws:ResourceTag/cordon:managed', 'aws:PrincipalArn', 'aws:CurrentTime'];
const CASES: readonly Case[] = [
  {
    action: 'ec2:DeleteTags',
    resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`,
    keys: EC2_KEYS,
  },
  {
    action: 'ec2:CreateTags',
    resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-1`,
    keys: EC2_KEYS,
  },
  {
    action: 'ec2:ModifyNetworkInterfaceAttribute',
    resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:network-interface/eni-1`,
    keys: ['aws:ResourceTag/cordon:managed', 'aws:PrincipalArn'],
  },
  { action: 'states:SendTaskSuccess', resource: '*', keys: ['aws:PrincipalArn', 'aws:CurrentTime'] },
  {
    action: 'iam:PassRole',
    resource: `arn:aws:iam::${ACCOUNT}:role/CordonQuarantine`,
    keys: ['iam:PassedToService', 'aws:PrincipalArn'],
  },
  { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/app/web`, keys: ['iam:PassedToService'] },
  {
    action: 'dynamodb:DeleteItem',
    resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/cordon-test-ledger`,
    keys: ['dynamodb:LeadingKeys', 'aws:PrincipalArn'],
  },
  {
    action: 'sns:Publish',
    resource: `arn:aws:sns:us-east-1:${ACCOUNT}:cordon-t-notifications`,
    keys: ['aws:PrincipalArn'],
  },
];

const ACTION_PATTERNS = [
  'ec2:DeleteTags',
  'ec2:CreateTags',
  'EC2:deletetags',
  'ec2:*Tags',
  'ec2:Modify*',
  'states:SendTask*',
  'iam:PassRole',
  'dynamodb:DeleteItem',
  'sns:Publish',
  'ec2:*',
];

const RESOURCE_PATTERNS = [
  '*',
  `arn:aws:ec2:*:${ACCOUNT}:instance/*`,
  'arn:aws:ec2:us-east-1:*:*',
  'arn:aws:ec2:*:*:security-group/sg-?',
  'arn:aws:ec2:eu-*:*:network-interface/*',
  `arn:aws:iam::${ACCOUNT}:role/CordonQuarantine`,
  'arn:aws:iam::*:role/app/*',
  `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:*`,
  'arn:aws:sns:*:*:cordon-?-notifications',
  'arn:aws:dynamodb:*:*:table/cordon-*-ledger',
];

const STRING_VALUES = [
  'true',
  'false',
  'cordon:exempt',
  'cordon:incident',
  'owner',
  'lease#i-1',
  'ec2.amazonaws.com',
];
const STRING_PATTERNS = [...STRING_VALUES, 'cordon:*', 'lease#*', '*.amazonaws.com', 'T?ue'];
const ARNS = [PRINCIPAL, `arn:aws:iam::${ACCOUNT}:role/cordon-test-release-instance`];
const ARN_PATTERNS = [
  ...ARNS,
  `arn:aws:iam::${ACCOUNT}:role/cordon-*-isolate-instance`,
  'arn:aws:iam::*:role/*',
];
const DATES = ['2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', '2027-01-01T00:00:00Z'];

const MULTI = new Set(['aws:TagKeys', 'dynamodb:LeadingKeys']);

function operatorsFor(key: string): readonly string[] {
  if (MULTI.has(key)) {
    return [
      'ForAllValues:StringLike',
      'ForAllValues:StringEquals',
      'ForAnyValue:StringEquals',
      'ForAnyValue:StringLike',
      'ForAllValues:StringNotEquals',
      'ForAnyValue:StringNotLike',
      'Null',
    ];
  }
  if (key === 'aws:PrincipalArn') return ['ArnLike', 'ArnEquals', 'ArnNotLike', 'ArnLikeIfExists', 'Null'];
  if (key === 'aws:CurrentTime') return ['DateLessThan', 'DateGreaterThanEquals', 'DateNotEquals', 'Null'];
  return [
    'StringEquals',
    'StringNotEquals',
    'StringLike',
    'StringNotLike',
    'StringEqualsIgnoreCase',
    'StringEqualsIfExists',
    'StringNotEqualsIfExists',
    'Null',
  ];
}

function valuesFor(key: string, operator: string): fc.Arbitrary<string[]> {
  if (operator === 'Null') return fc.constantFrom(['true'], ['false']);
  const pool =
    key === 'aws:PrincipalArn' ? ARN_PATTERNS : key === 'aws:CurrentTime' ? DATES : STRING_PATTERNS;
  return fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 });
}

function conditionArbitrary(keys: readonly string[]) {
  const test = fc
    .constantFrom(...keys)
    .chain((key) =>
      fc
        .constantFrom(...operatorsFor(key))
        .chain((operator) => valuesFor(key, operator).map((values) => ({ key, operator, values }))),
    );
  return fc.array(test, { maxLength: 2 }).map((tests) => {
    const condition: Record<string, Record<string, string[]>> = {};
    for (const { operator, key, values } of tests) {
      condition[operator] = { ...condition[operator], [key]: values };
    }
    return condition;
  });
}

/** Half the time the statement names the request's own action and resource, so that its condition decides. */
function statementArbitrary(c: Case): fc.Arbitrary<PolicyStatementJson> {
  const own = (value: string, pool: readonly string[]) =>
    fc.oneof(
      { weight: 1, arbitrary: fc.constant([value]) },
      { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 }) },
    );
  return fc
    .record({
      Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
      actionElement: fc.constantFrom('Action', 'Action', 'Action', 'NotAction'),
      actions: own(c.action, ACTION_PATTERNS),
      resourceElement: fc.constantFrom('Resource', 'Resource', 'Resource', 'NotResource'),
      resources: own(c.resource === '*' ? '*' : c.resource, RESOURCE_PATTERNS),
      condition: conditionArbitrary(c.keys),
    })
    .map(({ Effect, actionElement, actions, resourceElement, resources, condition }) => ({
      Effect,
      [actionElement]: actions,
      [resourceElement]: resources,
      ...(Object.keys(condition).length === 0 ? {} : { Condition: condition }),
    }));
}

function contextArbitrary(keys: readonly string[]): fc.Arbitrary<RequestContext> {
  const entries = keys.map((key) => {
    const value: fc.Arbitrary<string | string[]> = MULTI.has(key)
      ? fc.uniqueArray(fc.constantFrom(...STRING_VALUES), { minLength: 1, maxLength: 3 })
      : key === 'aws:PrincipalArn'
        ? fc.constantFrom(...ARNS)
        : key === 'aws:CurrentTime'
          ? fc.constantFrom(...DATES)
          : fc.constantFrom(...STRING_VALUES);
    return fc.option(
      value.map((v) => [key, v] as const),
      { nil: undefined },
    );
  });
  return fc.tuple(...entries).map((pairs) => Object.fromEntries(pairs.filter((pair) => pair !== undefined)));
}

const scenario = fc.constantFrom(...CASES).chain((c) =>
  fc.record({
    case: fc.constant(c),
    statements: fc.array(statementArbitrary(c), { minLength: 1, maxLength: 3 }),
    context: contextArbitrary(c.keys),
  }),
);

const ORACLE_ANSWERS: Readonly<Record<string, IamAnswer>> = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicit-deny',
  ImplicitlyDenied: 'implicit-deny',
};

async function oracle(
  statements: readonly PolicyStatementJson[],
  action: string,
  resource: string,
  context: RequestContext,
): Promise<IamAnswer | string> {
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'p', policy: { Version: '2012-10-17', Statement: statements } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: PRINCIPAL,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context as Record<string, string | string[]>,
      },
    },
    {},
  );
  if (result.resultType !== 'single') return `oracle error: ${JSON.stringify(result)}`;
  return ORACLE_ANSWERS[result.overallResult] ?? result.overallResult;
}

describe('the evaluator against iam-simulate (differential)', () => {
  it('agrees on 600 random policies and requests in Cordon’s vocabulary', async () => {
    const answers = new Map<IamAnswer, number>();
    await fc.assert(
      fc.asyncProperty(scenario, async ({ case: c, statements, context }) => {
        const ours = evaluate(parsePolicy({ Version: '2012-10-17', Statement: statements }, 'p'), {
          action: c.action,
          resources: [{ arn: c.resource }],
          context,
        }).answer;
        answers.set(ours, (answers.get(ours) ?? 0) + 1);
        expect(ours).toBe(await oracle(statements, c.action, c.resource, context));
      }),
      { numRuns: 600, seed: 20261202 },
    );
    // The generator must exercise every answer, or agreement would prove little.
    for (const answer of ['allowed', 'explicit-deny', 'implicit-deny'] as const) {
      expect(answers.get(answer) ?? 0, answer).toBeGreaterThan(20);
    }
  });

  it('agrees on the defects the review found (resource on a no-resource action, DeleteTags without keys)', async () => {
    const sendTask: PolicyStatementJson[] = [
      {
        Effect: 'Allow',
        Action: ['states:SendTaskSuccess'],
        Resource: [`arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:cordon-test-ec2-compromise`],
      },
    ];
    const deleteTags: PolicyStatementJson[] = [
      {
        Effect: 'Allow',
        Action: ['ec2:DeleteTags'],
        Resource: [`arn:aws:ec2:*:${ACCOUNT}:instance/*`],
        Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['cordon:*'] } },
      },
      {
        Effect: 'Deny',
        Action: ['ec2:DeleteTags'],
        Resource: ['*'],
        Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['cordon:exempt'] } },
      },
    ];
    const fixed: PolicyStatementJson[] = [
      {
        ...deleteTags[0],
        Condition: { ...deleteTags[0]?.Condition, Null: { 'aws:TagKeys': 'false' } },
      } as PolicyStatementJson,
      deleteTags[1] as PolicyStatementJson,
    ];
    const instance = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`;
    const cases: [PolicyStatementJson[], string, string, RequestContext, IamAnswer][] = [
      [sendTask, 'states:SendTaskSuccess', '*', {}, 'implicit-deny'],
      [deleteTags, 'ec2:DeleteTags', instance, {}, 'allowed'], // the hole: every tag removed
      [fixed, 'ec2:DeleteTags', instance, {}, 'implicit-deny'],
      [fixed, 'ec2:DeleteTags', instance, { 'aws:TagKeys': ['cordon:incident'] }, 'allowed'],
      [fixed, 'ec2:DeleteTags', instance, { 'aws:TagKeys': ['cordon:exempt'] }, 'explicit-deny'],
    ];
    for (const [statements, action, resource, context, expected] of cases) {
      const ours = evaluate(parsePolicy({ Version: '2012-10-17', Statement: statements }, 'p'), {
        action,
        resources: [{ arn: resource }],
        context,
      }).answer;
      expect(ours).toBe(expected);
      expect(await oracle(statements, action, resource, context)).toBe(expected);
    }
  });
});
