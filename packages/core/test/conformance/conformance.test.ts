import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../../local/src/sandbox/index.ts';
import { CONFIG_SEEDS } from '../../../local/src/seed-config.ts';
import { ACTION_IDS, ACTIONS } from '../../src/actions/catalog.ts';
import { RELEASABLE_REMEDIATIONS } from '../../src/actions/release-remediation.ts';
import type { Permission } from '../../src/actions/types.ts';
import { DETECTION_ALARM_NAMES } from '../../src/detections/alarms.ts';
import { buildFromDeclaration, LOCAL_BUILD_OPTIONS } from '../../src/playbooks/build.ts';
import { PLAYBOOKS, type PlaybookDefinition } from '../../src/playbooks/catalog.ts';
import { CONFIG_RULES } from '../../src/playbooks/config-rules.ts';
import { PLAYBOOK_IDS } from '../../src/playbooks/ids.ts';
import { STATE_NAMES, statesOfStep } from '../../src/playbooks/states.ts';
import {
  type ConformanceContext,
  lacksOfAction,
  lacksOfConfigRules,
  lacksOfPlaybook,
  lacksOfRouting,
} from './lacks.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

function sandboxCommands(): Map<string, Set<string>> {
  const sandbox = createSandbox();
  const models = [
    sandbox.ec2,
    sandbox.autoScaling,
    sandbox.elbv2,
    sandbox.elb,
    sandbox.iam,
    sandbox.sts,
    sandbox.sns,
    sandbox.ssm,
    sandbox.dynamodb,
    sandbox.config,
    sandbox.s3,
    sandbox.s3Control,
    sandbox.cloudTrail,
    sandbox.kms,
    sandbox.rds,
  ];
  return new Map(models.map((model) => [model.service, new Set(Object.keys(model.commands))]));
}

const CONTEXT: ConformanceContext = {
  root,
  actions: ACTIONS,
  playbooks: PLAYBOOKS,
  statesOfStep,
  build: (playbook) => buildFromDeclaration(playbook, LOCAL_BUILD_OPTIONS),
  sandboxCommands: sandboxCommands(),
  detectionAlarms: DETECTION_ALARM_NAMES,
  configRules: CONFIG_RULES,
  configSeeds: new Set(Object.keys(CONFIG_SEEDS)),
  releasable: new Set(RELEASABLE_REMEDIATIONS.map((action) => action.id)),
};

describe('conformance: the action and playbook catalogs', () => {
  it('every action has its handler, tests, state, playbook, docs, client and sandbox model of each call', () => {
    expect(ACTION_IDS.flatMap((id) => lacksOfAction(id, CONTEXT))).toEqual([]);
  });

  it('every playbook can be built, runs actions, is routed, is documented and agrees with its steps', () => {
    expect(PLAYBOOK_IDS.flatMap((id) => lacksOfPlaybook(id, CONTEXT))).toEqual([]);
  });

  it('routes each finding category, Config rule and default alarm to one playbook, with one fallback', () => {
    expect(lacksOfRouting(CONTEXT)).toEqual([]);
  });

  it('declares every routed Config rule, with its controls, a resource type its playbook takes and a seed', () => {
    expect(lacksOfConfigRules(CONTEXT)).toEqual([]);
  });
});

describe('conformance: what a new remediation still lacks', () => {
  const REVOKE: Permission = {
    actions: ['ec2:DescribeSecurityGroups', 'ec2:RevokeSecurityGroupIngress', 'redshift:ModifyCluster'],
    resources: ['*'],
    why: 'Revoke the offending rules.',
  };
  // A declaration the catalogs do not hold yet: its id is in no list, so it is cast where a type asks for one.
  const NEW_ACTION = 'close-public-database';
  const context: ConformanceContext = {
    ...CONTEXT,
    actions: { ...ACTIONS, [NEW_ACTION]: { permissions: [REVOKE], mutating: true } },
  };

  it('names every piece a new action lacks, and where it goes', () => {
    // Act
    const lacks = lacksOfAction(NEW_ACTION, context);

    // Assess
    expect(lacks).toEqual([
      `action ${NEW_ACTION}: a Lambda handler packages/functions/src/handlers/actions/${NEW_ACTION}.ts (createActionHandler with the clients it calls)`,
      `action ${NEW_ACTION}: its tests packages/core/test/actions/${NEW_ACTION}.test.ts`,
      `action ${NEW_ACTION}: its tests packages/core/test/actions/${NEW_ACTION}.sandbox.test.ts`,
      `action ${NEW_ACTION}: a state name that runs it (STATE_NAMES and STEP_OF_TASK_STATE in packages/core/src/playbooks/states.ts)`,
      `action ${NEW_ACTION}: a playbook that runs it (a step of a declaration in packages/core/src/playbooks/catalog.ts)`,
      `action ${NEW_ACTION}: its section in docs/actions.md (npm run docs:actions)`,
      `action ${NEW_ACTION}: an AWS client for redshift (AwsClients in actions/types.ts, CLIENTS_OF_SERVICE in actions/catalog.ts) for redshift:ModifyCluster`,
      `action ${NEW_ACTION}: a sandbox model that answers redshift:ModifyCluster (packages/local/src/sandbox/models/)`,
    ]);
  });

  it('names a call the sandbox model of a known service does not answer', () => {
    // Prepare: the sandbox's EC2 model without RevokeSecurityGroupIngress.
    const ec2 = new Set(CONTEXT.sandboxCommands.get('EC2'));
    ec2.delete('RevokeSecurityGroupIngress');
    const without = { ...context, sandboxCommands: new Map([...CONTEXT.sandboxCommands, ['EC2', ec2]]) };

    // Act
    const lacks = lacksOfAction(NEW_ACTION, without);

    // Assess
    expect(lacks).toContain(
      `action ${NEW_ACTION}: a sandbox model that answers ec2:RevokeSecurityGroupIngress (packages/local/src/sandbox/models/)`,
    );
    expect(lacks.filter((lack) => lack.includes('ec2:DescribeSecurityGroups'))).toEqual([]);
  });

  it('names every piece a new playbook lacks, and where it goes', () => {
    // Prepare: a playbook that runs the new action, declared with no Task, no route, the wrong flags and no page.
    const playbook = {
      ...PLAYBOOKS['stale-credentials'],
      id: 'open-ingress',
      steps: [NEW_ACTION, 'notify'],
      mutating: false,
      target: 'none',
      routes: { alarms: { byDefault: ['NoSuchAlarm'] } },
      linear: { notify: { state: STATE_NAMES.tellDecided, parameters: {} } },
      docs: { trigger: 'x', release: 'y', replay: { args: 'packages/cli/events/none.json' } },
    } as unknown as PlaybookDefinition;
    const withPlaybook = { ...context, playbooks: { ...PLAYBOOKS, 'open-ingress': playbook } };

    // Act
    const lacks = lacksOfPlaybook('open-ingress', withPlaybook);

    // Assess
    expect(lacks).toEqual([
      `playbook open-ingress: a state machine: a \`linear\` declaration, or its own builder in packages/core/src/playbooks/build.ts (Playbook open-ingress: step ${NEW_ACTION} has no Task in its linear declaration (or the playbook needs a builder of its own).)`,
      'playbook open-ingress: mutating: true, as its steps are',
      'playbook open-ingress: a target kind: its steps change a resource',
      'playbook open-ingress: a deployed detection for the alarm NoSuchAlarm it claims by default (packages/core/src/detections/alarms.ts)',
      'playbook open-ingress: its page docs/playbooks/open-ingress.md (npm run docs:playbooks)',
      'playbook open-ingress: the event its replay names, packages/cli/events/none.json',
    ]);
  });

  it('names a step with no action behind it, and a playbook nothing starts', () => {
    // Prepare
    const playbook = {
      ...PLAYBOOKS['notify-only'],
      id: 'lonely',
      steps: ['no-such-step', 'notify'],
      routes: {},
    } as unknown as PlaybookDefinition;

    // Act
    const lacks = lacksOfPlaybook('lonely', { ...CONTEXT, playbooks: { ...PLAYBOOKS, lonely: playbook } });

    // Assess
    expect(lacks).toContain(
      'playbook lonely: an action for its step no-such-step (ACTIONS in packages/core/src/actions/catalog.ts)',
    );
    expect(lacks).toContain(
      'playbook lonely: a route: findings, alarms, configRules, responder or fallback in its declaration',
    );
  });

  it('names an action that declares a release release-remediation does not release', () => {
    // Prepare
    const release = ACTIONS['revoke-open-ingress'].release;
    const withRelease = {
      ...context,
      actions: { ...context.actions, [NEW_ACTION]: { permissions: [], mutating: true, release } },
    };

    // Act
    const lacks = lacksOfAction(NEW_ACTION, withRelease);

    // Assess
    expect(lacks).toContain(
      `action ${NEW_ACTION}: its place among the remediations release-remediation releases (RELEASABLE_REMEDIATIONS in packages/core/src/actions/release-remediation.ts), since it declares a release`,
    );
  });

  it('names what a routed Config rule lacks: a declaration, a resource type its playbook takes, a seed', () => {
    // Prepare: a playbook of security groups that routes a rule nobody declared and one about IAM users.
    const playbook = {
      ...PLAYBOOKS['security-group-ingress'],
      id: 'open-bucket',
      routes: {
        configRules: {
          REDSHIFT_CLUSTER_PUBLIC_ACCESS_CHECK: PLAYBOOKS['security-group-ingress'].routes.configRules,
          ACCESS_KEYS_ROTATED: PLAYBOOKS['security-group-ingress'].routes.configRules,
        },
      },
    } as unknown as PlaybookDefinition;

    // Act
    const lacks = lacksOfConfigRules({ ...CONTEXT, playbooks: { 'open-bucket': playbook } });

    // Assess
    expect(lacks).toEqual([
      'Config rule REDSHIFT_CLUSTER_PUBLIC_ACCESS_CHECK (open-bucket): a declaration in CONFIG_RULES (packages/core/src/playbooks/config-rules.ts)',
      'Config rule ACCESS_KEYS_ROTATED (open-bucket): a resource type the target kind security-group takes (AWS::EC2::SecurityGroup)',
      'Config rule ACCESS_KEYS_ROTATED (open-bucket): a seed that makes a resource non-compliant (CONFIG_SEEDS in packages/local/src/seed-config.ts)',
    ]);
  });

  it('names a category or a Config rule two playbooks claim', () => {
    // Prepare
    const twice = {
      ...PLAYBOOKS,
      'credential-compromise': {
        ...PLAYBOOKS['credential-compromise'],
        routes: { findings: ['credential-compromise', 'instance-compromise'] },
      },
    } as unknown as ConformanceContext['playbooks'];

    // Act
    const lacks = lacksOfRouting({ ...CONTEXT, playbooks: twice });

    // Assess
    expect(lacks).toEqual([
      'routing: one playbook for GuardDuty category instance-compromise, not ec2-compromise and credential-compromise',
    ]);
  });
});
