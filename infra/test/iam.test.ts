import { existsSync } from 'node:fs';
import { ACTION_IDS, ACTIONS } from '@cordon/core/actions/catalog';
import { OBSERVER_PERMISSIONS } from '@cordon/core/actions/observe-instance';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployConfig } from '../config.ts';
import { FUNCTIONS, type FunctionSpec, functionSpec } from '../functions.ts';
import { ACTION_SERVICE_PREFIXES, isReadOnlyAction, resolveTemplate } from '../permissions.ts';
import {
  ACCOUNT,
  asList,
  type Deployment,
  deployUnderMocks,
  type IamStatement,
  REGION,
  statementsOf,
} from './harness.ts';

const config = deployConfig('test', {});
const values = {
  account: ACCOUNT,
  region: REGION,
  stage: 'test',
  prefix: 'cordon-test',
  responderRole: 'CordonResponder',
  observerRole: 'CordonResponderObserver',
  quarantineRole: 'CordonQuarantine',
  exemptionTagKey: 'cordon:exempt',
};
const APPROVAL_URL = 'https://approval-api-url.lambda-url.example/';
let deployment: Deployment;

beforeAll(async () => {
  deployment = await deployUnderMocks(config);
});

/** What every function needs to run (docs/deploy.md, "What each function may do"). */
const PLATFORM = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
];
const SETTINGS = ['ssm:GetParametersByPath'];
const LEDGER = ['dynamodb:PutItem'];
/** The actions whose code reads an incident's ledger entries back (the least-privilege flows prove the list). */
const LEDGER_READERS = [
  'contain-instance',
  'release-instance',
  'release-remediation',
  'release-credentials',
  'notify',
];
/** What triage reads of an instance before containment: core's list, which must stay reads only (below). */
const OBSERVE = OBSERVER_PERMISSIONS.flatMap((permission) => permission.actions);

/** The extra actions each non-catalog function needs, written out here independently of infra/functions.ts. */
const EXPECTED_NON_ACTION: Record<string, string[]> = {
  triage: [
    ...PLATFORM,
    ...SETTINGS,
    ...LEDGER,
    'dynamodb:UpdateItem',
    ...OBSERVE,
    // A Config result's rule, read by its source identifier (core's RULE_LOOKUP_PERMISSIONS).
    'config:DescribeConfigRules',
    'sts:AssumeRole',
    'states:StartExecution',
  ],
  'request-approval': [
    ...PLATFORM,
    ...SETTINGS,
    // GetItem: the approval group a request joins (its pointer, the group, its newest members).
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'ssm:GetParameter',
    'sns:Publish',
  ],
  'approval-api': [
    ...PLATFORM,
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'ssm:GetParameter',
    'states:SendTaskSuccess',
    'states:SendTaskFailure',
  ],
  poller: [
    ...PLATFORM,
    ...SETTINGS,
    'guardduty:ListDetectors',
    'guardduty:ListFindings',
    'guardduty:GetFindings',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'lambda:InvokeFunction',
  ],
  'threshold-sync': [...PLATFORM, 'ssm:GetParametersByPath', 'cloudwatch:PutMetricAlarm', 'sns:Publish'],
};

function policyOf(functionId: string): IamStatement[] {
  const policy = deployment
    .ofType('aws:iam/rolePolicy:RolePolicy')
    .find((candidate) => candidate.inputs.role === `cordon-test-${functionId}`);
  if (policy === undefined) throw new Error(`No policy for ${functionId}`);
  return statementsOf(policy.inputs.policy);
}

function allowedActions(statements: readonly IamStatement[]): Set<string> {
  return new Set(
    statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => asList(statement.Action)),
  );
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** Allowed actions on the services that change accounts, other than reads (`Describe*`, `Get*`, `List*`). */
function accountChangingActions(statements: readonly IamStatement[]): string[] {
  return sorted(
    [...allowedActions(statements)].filter(
      (action) =>
        ACTION_SERVICE_PREFIXES.some((prefix) => action.startsWith(prefix)) && !isReadOnlyAction(action),
    ),
  );
}

describe('each action function', () => {
  it.each(ACTION_IDS)(
    '%s holds its catalog permissions plus the documented platform ones, nothing more',
    (id) => {
      const catalog = ACTIONS[id].permissions.flatMap((permission) => permission.actions);
      const extras = [
        ...PLATFORM,
        ...SETTINGS,
        ...LEDGER,
        ...(ACTIONS[id].mutating ? ['sts:AssumeRole'] : ['ssm:GetParameter']),
        ...(LEDGER_READERS.includes(id) ? ['dynamodb:Query'] : []),
        ...(ACTIONS[id].leases === true ? ['dynamodb:DeleteItem'] : []),
      ];

      expect(sorted(allowedActions(policyOf(id)))).toEqual(sorted([...catalog, ...extras]));
    },
  );

  it('contain-instance may delete lease items of the ledger table only, never an incident’s entries', () => {
    const deletes = policyOf('contain-instance').filter((statement) =>
      asList(statement.Action).includes('dynamodb:DeleteItem'),
    );
    expect(deletes).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['lease#*'] } },
      }),
    ]);
  });

  it.each(ACTION_IDS)('%s keeps every catalog statement with its resources and conditions', (id) => {
    const statements = policyOf(id);
    for (const permission of ACTIONS[id].permissions) {
      const match = statements.find(
        (statement) =>
          statement.Effect === 'Allow' &&
          JSON.stringify(asList(statement.Action)) === JSON.stringify(permission.actions) &&
          JSON.stringify(asList(statement.Resource)) ===
            JSON.stringify(permission.resources.map((resource) => resolveTemplate(resource, values))),
      );
      expect(match, `${id}: ${permission.actions.join(',')}`).toBeDefined();
      expect(match?.Condition).toEqual(permission.condition);
    }
  });
});

describe('the other functions', () => {
  it.each(Object.keys(EXPECTED_NON_ACTION))('%s holds exactly the documented actions', (id) => {
    expect(sorted(allowedActions(policyOf(id)))).toEqual(sorted(EXPECTED_NON_ACTION[id] ?? []));
  });

  it.each(Object.keys(EXPECTED_NON_ACTION))(
    '%s cannot change anything in an account (no EC2, IAM, Auto Scaling or ELB action but reads)',
    (id) => {
      expect(accountChangingActions(policyOf(id))).toEqual([]);
    },
  );

  it('and that check catches an account-changing action slipped into triage’s policy', () => {
    const doctored: IamStatement[] = [
      ...policyOf('triage'),
      {
        Effect: 'Allow',
        Action: ['ec2:ModifyInstanceAttribute', 'autoscaling:EnterStandby'],
        Resource: ['*'],
      },
      { Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: '*' },
    ];

    expect(accountChangingActions(doctored)).toEqual([
      'autoscaling:EnterStandby',
      'ec2:ModifyInstanceAttribute',
      'iam:PutRolePolicy',
    ]);
  });

  it.each(ACTION_IDS.filter((id) => ACTIONS[id].mutating))(
    'and it sees that %s, a mutating action, changes the account',
    (id) => {
      const actions = ACTIONS[id].permissions.flatMap((permission) => permission.actions);

      expect(actions.filter((action) => !isReadOnlyAction(action)).length).toBeGreaterThan(0);
    },
  );

  it('triage reads instances with exactly core’s observer permissions, and nothing else of those services', () => {
    const reads = policyOf('triage').filter((statement) =>
      asList(statement.Action).some((action) =>
        ACTION_SERVICE_PREFIXES.some((prefix) => action.startsWith(prefix)),
      ),
    );

    expect(reads.map((statement) => [asList(statement.Action), asList(statement.Resource)])).toEqual(
      OBSERVER_PERMISSIONS.map((permission) => [[...permission.actions], [...permission.resources]]),
    );
  });

  it('triage may not start a playbook only a responder starts (ec2-release)', () => {
    const start = policyOf('triage').find((statement) =>
      asList(statement.Action).includes('states:StartExecution'),
    );

    expect(asList(start?.Resource ?? []).some((arn) => arn.endsWith('-ec2-release'))).toBe(false);
    expect(asList(start?.Resource ?? []).some((arn) => arn.endsWith('-ec2-compromise'))).toBe(true);
  });

  it('triage starts only Cordon’s playbooks', () => {
    const start = policyOf('triage').find((statement) =>
      asList(statement.Action).includes('states:StartExecution'),
    );

    expect(
      asList(start?.Resource ?? []).every((arn) =>
        arn.startsWith(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:cordon-test-`),
      ),
    ).toBe(true);
  });
});

describe('every Cordon role', () => {
  it('has no wildcard action, in any policy or trust policy', () => {
    const documents = [
      ...deployment.ofType('aws:iam/rolePolicy:RolePolicy').map((policy) => policy.inputs.policy),
      ...deployment.ofType('aws:iam/role:Role').map((role) => role.inputs.assumeRolePolicy),
      ...deployment.ofType('aws:sqs/queuePolicy:QueuePolicy').map((policy) => policy.inputs.policy),
    ];
    expect(documents.length).toBeGreaterThan(20);
    for (const document of documents) {
      for (const statement of statementsOf(document)) {
        for (const action of asList(statement.Action)) {
          expect(action === '*' || action.endsWith(':*'), action).toBe(false);
        }
      }
    }
  });

  it('and the key policy gives no one `*`: only the account root administers the key (kms:*)', () => {
    const [key] = deployment.ofType('aws:kms/key:Key');
    const statements = statementsOf(key?.inputs.policy);
    const wildcards = statements.filter((statement) =>
      asList(statement.Action).some(
        (action) =>
          action.includes('*') &&
          !action.startsWith('kms:ReEncrypt') &&
          !action.startsWith('kms:GenerateDataKey'),
      ),
    );

    expect(wildcards).toHaveLength(1);
    expect(wildcards[0]).toMatchObject({
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
    });
  });

  it('fits IAM’s 10,240-character limit for inline role policies', () => {
    for (const policy of deployment.ofType('aws:iam/rolePolicy:RolePolicy')) {
      expect(
        String(policy.inputs.policy).replace(/\s/g, '').length,
        String(policy.inputs.role),
      ).toBeLessThanOrEqual(10_240);
    }
  });
});

describe('the member-account roles', () => {
  const assumers = FUNCTIONS.filter(
    (spec) => spec.kind === 'action' && ACTIONS[spec.id as keyof typeof ACTIONS].mutating,
  );

  it('each action may assume only its own role; triage only the observer role; the others none', () => {
    for (const spec of FUNCTIONS) {
      const assume = policyOf(spec.id).filter((statement) =>
        asList(statement.Action).some((action) => action.startsWith('sts:')),
      );
      const roles = assumers.includes(spec)
        ? [`arn:aws:iam::*:role/CordonResponder-${spec.id}`]
        : spec.id === 'triage'
          ? ['arn:aws:iam::*:role/CordonResponderObserver']
          : [];

      expect(
        assume.map((statement) => asList(statement.Resource)),
        spec.id,
      ).toEqual(roles.map((role) => [role]));
      expect(
        assume.flatMap((statement) => asList(statement.Action)),
        spec.id,
      ).toEqual(roles.map(() => 'sts:AssumeRole'));
    }
  });

  it('are assumed by the mutating actions, whose roles also carry the guard Denies', () => {
    expect(assumers.map((spec) => spec.id).sort()).toEqual(ACTION_IDS.filter((id) => id !== 'notify').sort());
    for (const spec of assumers) {
      const denies = policyOf(spec.id).filter((statement) => statement.Effect === 'Deny');
      const tags = denies.find((statement) => statement.Sid === 'DenyExemptionTagChanges');

      expect(tags?.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['cordon:exempt'] } });
      expect(asList(tags?.Action ?? [])).toEqual(
        expect.arrayContaining(['ec2:CreateTags', 'ec2:DeleteTags', 'iam:TagUser', 'iam:UntagRole']),
      );
      expect(denies.map((statement) => statement.Sid)).toEqual(
        expect.arrayContaining(['DenyPrivilegeEscalation', 'DenyEditingCordonRoles']),
      );
      const editing = denies.find((statement) => statement.Sid === 'DenyEditingCordonRoles');
      expect(asList(editing?.Resource ?? [])).toEqual([
        'arn:aws:iam::*:role/cordon-*',
        'arn:aws:iam::*:role/CordonResponder*',
      ]);
    }
  });
});

describe('the grants the review found wrong', () => {
  it('the approval API answers playbooks on "*": SendTaskSuccess/Failure have no resource type', () => {
    const answer = policyOf('approval-api').find((statement) => statement.Sid === 'AnswerPlaybooks');
    expect(asList(answer?.Resource ?? [])).toEqual(['*']);
  });

  it('the poller reads findings on "*": ListFindings/GetFindings have no resource type', () => {
    const read = policyOf('poller').find((statement) => statement.Sid === 'ReadFindings');
    expect(asList(read?.Resource ?? [])).toEqual(['*']);
  });

  it('notify publishes to Cordon’s topic only', () => {
    const publish = policyOf('notify').filter((statement) =>
      asList(statement.Action).includes('sns:Publish'),
    );
    expect(publish.flatMap((statement) => asList(statement.Resource))).toEqual([
      `arn:aws:sns:${REGION}:${ACCOUNT}:cordon-test-notifications`,
    ]);
  });

  it('quarantine-instance-profile may pass the quarantine role only, and only to EC2', () => {
    const pass = policyOf('quarantine-instance-profile').filter((statement) =>
      asList(statement.Action).includes('iam:PassRole'),
    );
    expect(pass.map((statement) => [asList(statement.Resource), statement.Condition])).toEqual([
      [
        [`arn:aws:iam::${ACCOUNT}:role/CordonQuarantine`],
        { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      ],
    ]);
  });
});

describe('the functions as deployed', () => {
  function deployed(spec: FunctionSpec) {
    return deployment.named('aws:lambda/function:Function', `cordon-test-${spec.id}`);
  }

  it.each(FUNCTIONS.map((spec) => [spec.id, spec] as const))(
    '%s runs with its own role, environment and tracing',
    (_id, spec) => {
      const fn = deployed(spec);
      const role = deployment.named('aws:iam/role:Role', `cordon-test-${spec.id}`);

      expect(fn.inputs.role).toBe(`arn:aws:iam::${ACCOUNT}:role/cordon-test-${spec.id}`);
      expect(fn.inputs.handler).toBe(spec.handler);
      expect(fn.inputs.tracingConfig).toEqual({ mode: 'Active' });
      expect((fn.inputs.environment as { variables: unknown }).variables).toEqual(
        Object.fromEntries(
          Object.entries(spec.environment).map(([key, value]) => [
            key,
            resolveTemplate(value, { ...values, approvalUrl: APPROVAL_URL }),
          ]),
        ),
      );
      expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal).toEqual({
        Service: 'lambda.amazonaws.com',
      });
    },
  );

  it('give triage the ARN of every deployed playbook', () => {
    const env = (deployed(functionSpec('triage')).inputs.environment as { variables: Record<string, string> })
      .variables;
    const machines = deployment
      .ofType('aws:sfn/stateMachine:StateMachine')
      .map((machine) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${String(machine.inputs.name)}`);

    expect(Object.values(JSON.parse(env.CORDON_STATE_MACHINES ?? '{}')).sort()).toEqual(machines.sort());
  });

  it('give triage no idempotency table (the ledger claim deduplicates)', () => {
    const env = (deployed(functionSpec('triage')).inputs.environment as { variables: Record<string, string> })
      .variables;

    expect(Object.keys(env).sort()).toEqual([
      'CORDON_LEDGER_TABLE',
      'CORDON_STAGE',
      'CORDON_STATE_MACHINES',
      'POWERTOOLS_METRICS_NAMESPACE',
    ]);
  });

  it('tell request-approval where the approval API is', () => {
    const env = (
      deployed(functionSpec('request-approval')).inputs.environment as { variables: Record<string, string> }
    ).variables;

    expect(env.CORDON_APPROVAL_URL).toBe(APPROVAL_URL);
  });

  it('keep the settings readers out of the secrets (settings have their own folder)', () => {
    for (const spec of FUNCTIONS) {
      for (const statement of policyOf(spec.id)) {
        if (!asList(statement.Action).includes('ssm:GetParametersByPath')) continue;
        for (const resource of asList(statement.Resource))
          expect(resource).not.toMatch(/parameter\/cordon\/test(\/\*)?$/);
      }
    }
  });

  it('expose only the approval API, without IAM auth (it checks signatures itself)', () => {
    const urls = deployment.ofType('aws:lambda/functionUrl:FunctionUrl');

    expect(urls.map((url) => url.inputs)).toEqual([
      { functionName: 'cordon-test-approval-api', authorizationType: 'NONE' },
    ]);
  });

  it.each(FUNCTIONS.map((spec) => [spec.id, spec] as const))('%s has its handler file', (_id, spec) => {
    const file = spec.handler.replace(/\.handler$/, '.ts');
    expect(existsSync(file), file).toBe(true);
  });
});
