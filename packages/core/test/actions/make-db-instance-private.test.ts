import { type DBInstance, DescribeDBInstancesCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients } from '../../../../test/support/actions.ts';
import { makeDbInstancePrivate } from '../../src/actions/make-db-instance-private.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const RESOURCE_ID = 'db-ORDERS7Q2XK4M5N6P7R8S9T0UV';
const RULE = {
  identifier: 'RDS_INSTANCE_PUBLIC_ACCESS_CHECK',
  name: 'securityhub-rds-instance-public-access-check-5e6f7a',
  parameters: {},
  parametersKnown: true,
};

function instance(fields: Partial<DBInstance> = {}): DBInstance {
  return {
    DBInstanceIdentifier: 'orders',
    DbiResourceId: RESOURCE_ID,
    DBInstanceStatus: 'available',
    PubliclyAccessible: true,
    TagList: [{ Key: 'team', Value: 'orders' }],
    ...fields,
  };
}

/** An RDS query-protocol error as the SDK throws it. */
function rdsFault(name: string): Error {
  return Object.assign(new Error(name), { name, Code: name.replace(/Fault$/, ''), $fault: 'client' });
}

describe('make-db-instance-private (commands sent)', () => {
  const clients = realClients();
  const rds = mockClient(clients.rds);
  const input = { ...envelope(), dbiResourceId: RESOURCE_ID, rule: RULE };

  function given(...found: DBInstance[]) {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: found });
  }

  beforeEach(() => {
    rds.reset();
    rds.on(ModifyDBInstanceCommand).resolves({});
  });

  it('finds the instance by its resource id and sets PubliclyAccessible false only, without applying queued changes', async () => {
    // Prepare
    given(instance());
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(
      makeDbInstancePrivate,
      { ...input, controls: ['SecurityHub/RDS.2'] },
      environment,
    );

    // Assess
    expect(outcome.status).toBe('done');
    expect(rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
      Filters: [{ Name: 'dbi-resource-id', Values: [RESOURCE_ID] }],
    });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBInstanceCommand, 1);
    expect(rds.commandCalls(ModifyDBInstanceCommand)[0]?.args[0].input).toEqual({
      DBInstanceIdentifier: 'orders',
      PubliclyAccessible: false,
      ApplyImmediately: false,
    });
    const [planned] = environment.ledger.all();
    expect(planned).toMatchObject({
      outcome: 'planned',
      restore: { dbInstanceIdentifier: 'orders', dbiResourceId: RESOURCE_ID },
      controls: ['SecurityHub/RDS.2'],
      changes: [
        {
          resource: 'orders',
          attribute: 'PubliclyAccessible',
          before: 'publicly accessible',
          after: 'private',
        },
      ],
    });
  });

  it('acts only on the instance whose resource id matches, whatever else the answer holds', async () => {
    // Prepare: an answer with another instance first (a filter the service ignored must not widen the fix).
    given(instance({ DBInstanceIdentifier: 'reporting', DbiResourceId: 'db-OTHER' }), instance());

    // Act
    await runAction(makeDbInstancePrivate, input, actionEnvironment(clients));

    // Assess
    expect(rds).toHaveReceivedCommandTimes(ModifyDBInstanceCommand, 1);
    expect(rds).toHaveReceivedCommandWith(ModifyDBInstanceCommand, { DBInstanceIdentifier: 'orders' });
  });

  it('is already done, recording nothing to release, when the instance is private', async () => {
    // Prepare
    given(instance({ PubliclyAccessible: false }));
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(makeDbInstancePrivate, input, environment);

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(rds).toHaveReceivedCommandTimes(ModifyDBInstanceCommand, 0);
    expect(environment.ledger.all().filter((entry) => entry.restore !== undefined)).toEqual([]);
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    given(instance());

    // Act
    const outcome = await runAction(
      makeDbInstancePrivate,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.output).toEqual({
      dbInstanceIdentifier: 'orders',
      dbiResourceId: RESOURCE_ID,
      madePrivate: true,
    });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBInstanceCommand, 0);
  });

  it('refuses, named, an exempt instance, one that is gone, and an id that is no resource id', async () => {
    // Act + Assess
    given(instance({ TagList: [{ Key: 'cordon:exempt', Value: 'true' }] }));
    await expect(runAction(makeDbInstancePrivate, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'ExemptResourceError',
    });
    given();
    await expect(runAction(makeDbInstancePrivate, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'ResourceGoneError',
    });
    await expect(
      runAction(makeDbInstancePrivate, { ...input, dbiResourceId: 'orders' }, actionEnvironment(clients)),
    ).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    expect(rds).toHaveReceivedCommandTimes(ModifyDBInstanceCommand, 0);
  });

  it('names a busy instance as retryable (EventualConsistencyError) and access denied as terminal', async () => {
    // Prepare
    given(instance());
    rds.on(ModifyDBInstanceCommand).rejects(rdsFault('InvalidDBInstanceStateFault'));

    // Act + Assess
    await expect(runAction(makeDbInstancePrivate, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'EventualConsistencyError',
    });
    rds
      .on(ModifyDBInstanceCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $fault: 'client' }));
    await expect(runAction(makeDbInstancePrivate, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'AccessDeniedError',
    });
  });

  it('is released by making that instance publicly accessible again, found by resource id even when renamed', async () => {
    // Prepare
    given(instance());
    const environment = actionEnvironment(clients);
    await runAction(makeDbInstancePrivate, input, environment);
    given(instance({ DBInstanceIdentifier: 'orders-v2', PubliclyAccessible: false }));

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(rds).toHaveReceivedCommandTimes(ModifyDBInstanceCommand, 2);
    expect(rds.commandCalls(ModifyDBInstanceCommand)[1]?.args[0].input).toEqual({
      DBInstanceIdentifier: 'orders-v2',
      PubliclyAccessible: true,
      ApplyImmediately: false,
    });
  });

  it('releases nothing when the instance is public again already, or gone', async () => {
    // Prepare
    given(instance());
    const environment = actionEnvironment(clients);
    await runAction(makeDbInstancePrivate, input, environment);

    // Act + Assess
    given(instance({ PubliclyAccessible: true }));
    const again = await runAction(releaseRemediation, envelope(), environment);
    given();
    const gone = await runAction(releaseRemediation, envelope(), environment);
    expect(again.status).toBe('already-done');
    expect(gone.status).toBe('already-done');
    expect(rds).toHaveReceivedCommandTimes(ModifyDBInstanceCommand, 1);
  });
});
