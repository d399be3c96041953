import { CONTAINMENT_PART_IDS, PLAYBOOK_IDS } from '@cordon/core/playbooks/ids';
import { lintPlaybook } from '@cordon/core/playbooks/index';
import aslValidator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployConfig } from '../config.ts';
import { invokedFunctionArns, PLAYBOOK_FUNCTION_IDS } from '../playbooks.ts';
import { asList, type Deployment, deployUnderMocks, type RecordedResource, statementsOf } from './harness.ts';

let deployment: Deployment;
let machines: RecordedResource[];

beforeAll(async () => {
  deployment = await deployUnderMocks(deployConfig('test', {}));
  machines = deployment.ofType('aws:sfn/stateMachine:StateMachine');
});

function definitionOf(machine: RecordedResource) {
  return JSON.parse(String(machine.inputs.definition));
}

describe('playbook state machines', () => {
  it('exist once per playbook, as STANDARD workflows', () => {
    expect(machines.map((machine) => machine.inputs.name).sort()).toEqual(
      PLAYBOOK_IDS.map((id) => `cordon-test-${id}`).sort(),
    );
    for (const machine of machines) expect(machine.inputs.type).toBe('STANDARD');
  });

  it('log everything to their log group and trace with X-Ray', () => {
    for (const machine of machines) {
      expect(machine.inputs.loggingConfiguration).toEqual({
        logDestination:
          'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/cordon-test-playbooks:*',
        includeExecutionData: true,
        level: 'ALL',
      });
      expect(machine.inputs.tracingConfiguration).toEqual({ enabled: true });
    }
  });

  it('pass asl-validator with ARN and path checks, and Cordon’s own lint', () => {
    for (const machine of machines) {
      const definition = definitionOf(machine);
      const result = aslValidator(structuredClone(definition), { checkArn: true, checkPaths: true });

      expect(result.isValid, `${String(machine.inputs.name)}: ${result.errorsText('; ')}`).toBe(true);
      expect(lintPlaybook(definition), String(machine.inputs.name)).toEqual([]);
    }
  });

  it('call only the deployed Cordon functions', () => {
    const deployed = new Set(
      deployment
        .ofType('aws:lambda/function:Function')
        .map((fn) => `arn:aws:lambda:eu-west-1:123456789012:function:${String(fn.inputs.name)}`),
    );
    for (const machine of machines) {
      for (const arn of invokedFunctionArns(definitionOf(machine))) expect(deployed.has(arn), arn).toBe(true);
    }
  });

  it('run with a role that may invoke exactly the functions the definitions call', () => {
    const called = [
      ...new Set(machines.flatMap((machine) => invokedFunctionArns(definitionOf(machine)))),
    ].sort();
    const policy = deployment
      .ofType('aws:iam/rolePolicy:RolePolicy')
      .find((candidate) => candidate.inputs.role === 'cordon-test-playbooks');
    const statements = statementsOf(policy?.inputs.policy);
    const invoke = statements.filter((statement) =>
      asList(statement.Action).includes('lambda:InvokeFunction'),
    );

    expect(invoke).toHaveLength(1);
    expect(asList(invoke[0]?.Resource ?? [])).toEqual(called);
    expect(called).toContain('arn:aws:lambda:eu-west-1:123456789012:function:cordon-test-request-approval');
    for (const machine of machines) {
      expect(machine.inputs.roleArn).toBe('arn:aws:iam::123456789012:role/cordon-test-playbooks');
    }
  });

  it('contain an instance in one step: contain-instance is invoked, its parts have no function at all', () => {
    const policy = deployment
      .ofType('aws:iam/rolePolicy:RolePolicy')
      .find((candidate) => candidate.inputs.role === 'cordon-test-playbooks');
    const invocable = statementsOf(policy?.inputs.policy).flatMap((statement) =>
      asList(statement.Action).includes('lambda:InvokeFunction') ? asList(statement.Resource) : [],
    );
    const functions = deployment.ofType('aws:lambda/function:Function').map((fn) => fn.inputs.name);

    expect(invocable).toContain(
      'arn:aws:lambda:eu-west-1:123456789012:function:cordon-test-contain-instance',
    );
    expect(PLAYBOOK_FUNCTION_IDS).toContain('contain-instance');
    for (const part of CONTAINMENT_PART_IDS) {
      expect(invocable, part).not.toContain(
        `arn:aws:lambda:eu-west-1:123456789012:function:cordon-test-${part}`,
      );
      expect(PLAYBOOK_FUNCTION_IDS, part).not.toContain(part);
      expect(functions, part).not.toContain(`cordon-test-${part}`);
    }
  });

  it('trust Step Functions of this account only', () => {
    const role = deployment.named('aws:iam/role:Role', 'cordon-test-playbooks');

    expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'states.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      },
    ]);
  });
});
