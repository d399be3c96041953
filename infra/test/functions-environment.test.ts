/**
 * The environment each deployed function gets is the one its handler reads: the names come from one list
 * (packages/functions/src/shared/environment.ts), and the resolved values pass the handlers' own readers.
 */
import { readEnvironment, variableNames } from '@cordon/functions/shared/environment';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployConfig } from '../config.ts';
import { FUNCTIONS, type FunctionSpec } from '../functions.ts';
import { type Deployment, deployUnderMocks, REGION } from './harness.ts';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await deployUnderMocks(deployConfig('test', {}));
});

function deployedEnvironment(spec: FunctionSpec): Record<string, string> {
  const fn = deployment.named('aws:lambda/function:Function', `cordon-test-${spec.id}`);
  return (fn.inputs.environment as { variables: Record<string, string> }).variables;
}

describe('the deployed functions’ environment', () => {
  it.each(FUNCTIONS.map((spec) => [spec.id, spec] as const))(
    '%s gets only variables its handler reads, and its handler accepts every value',
    (_id, spec) => {
      const environment = deployedEnvironment(spec);

      expect(Object.keys(environment).filter((name) => !variableNames(spec.kind).includes(name))).toEqual([]);
      // Lambda sets AWS_REGION itself; the deployment may not (a reserved key).
      expect(environment).not.toHaveProperty('AWS_REGION');
      expect(() => readEnvironment(spec.kind, { ...environment, AWS_REGION: REGION })).not.toThrow();
    },
  );

  it('hands triage a state machine ARN for every playbook it may start', () => {
    const triage = FUNCTIONS.find((spec) => spec.id === 'triage') as FunctionSpec;
    const machines = deployment
      .ofType('aws:sfn/stateMachine:StateMachine')
      .map((machine) => String(machine.inputs.name));

    const { stateMachines } = readEnvironment('triage', {
      ...deployedEnvironment(triage),
      AWS_REGION: REGION,
    });

    expect(
      Object.values(stateMachines)
        .map((arn) => arn?.split(':').at(-1))
        .sort(),
    ).toEqual(machines.sort());
  });
});
