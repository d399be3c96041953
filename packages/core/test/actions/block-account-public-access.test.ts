import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  NoSuchPublicAccessBlockConfiguration,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import {
  accountPublicAccessRelease,
  blockAccountPublicAccess,
} from '../../src/actions/block-account-public-access.ts';
import { runAction } from '../../src/actions/run-action.ts';

const PERIODIC = {
  identifier: 'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC',
  name: 's3-account-level-public-access-blocks-periodic-conformance-pack-p4xq2m7ta',
  parameters: {},
  parametersKnown: true,
};
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const ACLS_ONLY = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};

function noConfiguration() {
  return new NoSuchPublicAccessBlockConfiguration({
    message: 'The public access block configuration was not found',
    $metadata: { httpStatusCode: 404 },
  });
}

describe('block-account-public-access (commands sent)', () => {
  const clients = realClients();
  const s3Control = mockClient(clients.s3Control);
  const input = { ...envelope(), accountId: TEST_ACCOUNT, rule: PERIODIC };

  beforeEach(() => {
    s3Control.reset();
    s3Control.on(PutPublicAccessBlockCommand).resolves({});
    s3Control.on(DeletePublicAccessBlockCommand).resolves({});
  });

  it('turns on all four settings of an account that has no configuration, and records that it had none', async () => {
    // Prepare
    s3Control.on(GetPublicAccessBlockCommand).rejects(noConfiguration());
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(blockAccountPublicAccess, input, environment);

    // Assess
    expect(outcome.status).toBe('done');
    expect(s3Control).toHaveReceivedCommandWith(GetPublicAccessBlockCommand, { AccountId: TEST_ACCOUNT });
    expect(s3Control).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      AccountId: TEST_ACCOUNT,
      PublicAccessBlockConfiguration: ALL_ON,
    });
    expect(environment.ledger.all()[0]?.restore).toEqual({
      accountId: TEST_ACCOUNT,
      previous: null,
      applied: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    });
    expect(outcome.changes).toHaveLength(4);
  });

  it('records the configuration it replaces, and changes only the settings that were off', async () => {
    // Prepare
    s3Control.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ACLS_ONLY });
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(blockAccountPublicAccess, input, environment);

    // Assess
    expect(outcome.changes.map((change) => change.attribute).sort()).toEqual([
      's3:accountPublicAccessBlock:blockPublicPolicy',
      's3:accountPublicAccessBlock:restrictPublicBuckets',
    ]);
    expect(environment.ledger.all()[0]?.restore).toMatchObject({
      previous: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      },
    });
  });

  it('keeps a setting the rule does not enforce as it is (RestrictPublicBuckets: False)', async () => {
    // Prepare
    s3Control.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ACLS_ONLY });
    const rule = { ...PERIODIC, parameters: { RestrictPublicBuckets: 'false' } };

    // Act
    const outcome = await runAction(blockAccountPublicAccess, { ...input, rule }, actionEnvironment(clients));

    // Assess
    expect(s3Control).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      PublicAccessBlockConfiguration: { ...ALL_ON, RestrictPublicBuckets: false },
    });
    expect(outcome.notes.join(' ')).toMatch(/restrictPublicBuckets kept as they are/);
  });

  it('enforces all four when the rule’s parameters could not be read, and says so', async () => {
    // Prepare
    s3Control.on(GetPublicAccessBlockCommand).rejects(noConfiguration());
    const rule = { ...PERIODIC, parameters: { RestrictPublicBuckets: 'false' }, parametersKnown: false };

    // Act
    const outcome = await runAction(blockAccountPublicAccess, { ...input, rule }, actionEnvironment(clients));

    // Assess
    expect(s3Control).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      PublicAccessBlockConfiguration: ALL_ON,
    });
    expect(outcome.notes.join(' ')).toMatch(/could not be read/);
  });

  it('is already done when every enforced setting is on', async () => {
    // Prepare
    s3Control.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });

    // Act
    const outcome = await runAction(blockAccountPublicAccess, input, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(s3Control).not.toHaveReceivedCommand(PutPublicAccessBlockCommand);
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    s3Control.on(GetPublicAccessBlockCommand).rejects(noConfiguration());

    // Act
    const outcome = await runAction(
      blockAccountPublicAccess,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.output.after).toMatch(/restrictPublicBuckets=true/);
    expect(s3Control).not.toHaveReceivedCommand(PutPublicAccessBlockCommand);
  });

  it('refuses another account than the incident’s, named, before any call', async () => {
    // Act
    const run = runAction(
      blockAccountPublicAccess,
      { ...input, accountId: '210987654321' },
      actionEnvironment(clients),
    );

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ActionFailedError' });
    await expect(run).rejects.toThrow(/only in the incident's own account/);
    expect(s3Control).not.toHaveReceivedAnyCommand();
  });

  it('refuses a rule it does not know, named, before any call', async () => {
    // Act
    const run = runAction(
      blockAccountPublicAccess,
      { ...input, rule: { ...PERIODIC, identifier: 'INCOMING_SSH_DISABLED', name: 'restricted-ssh' } },
      actionEnvironment(clients),
    );

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ActionFailedError' });
    await expect(run).rejects.toThrow(/does not know the Config rule INCOMING_SSH_DISABLED/);
    expect(s3Control).not.toHaveReceivedAnyCommand();
  });

  it('reports a refused PutPublicAccessBlock (an organization-level policy) as access denied, not retried', async () => {
    // Prepare
    s3Control.on(GetPublicAccessBlockCommand).rejects(noConfiguration());
    s3Control
      .on(PutPublicAccessBlockCommand)
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    // Act
    const run = runAction(blockAccountPublicAccess, input, actionEnvironment(clients));

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'AccessDeniedError' });
  });
});

describe('block-account-public-access release (commands sent)', () => {
  const clients = realClients();
  const s3Control = mockClient(clients.s3Control);
  const applied = {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  };
  const previous = {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: false,
    restrictPublicBuckets: false,
  };
  const context = () => ({
    ...actionEnvironment(clients),
    step: 'release-remediation' as const,
    incidentId: envelope().incidentId,
    account: TEST_ACCOUNT,
    region: envelope().region,
    dryRun: false,
    settingsVersion: 'test',
  });

  beforeEach(() => {
    s3Control.reset();
    s3Control.on(PutPublicAccessBlockCommand).resolves({});
    s3Control.on(DeletePublicAccessBlockCommand).resolves({});
  });

  it('puts the recorded configuration back exactly', async () => {
    // Prepare
    s3Control.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });

    // Act
    const plan = await accountPublicAccessRelease.plan(
      { accountId: TEST_ACCOUNT, previous, applied },
      context(),
    );
    await plan.apply();

    // Assess
    expect(s3Control).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      AccountId: TEST_ACCOUNT,
      PublicAccessBlockConfiguration: ACLS_ONLY,
    });
    expect(s3Control).not.toHaveReceivedCommand(DeletePublicAccessBlockCommand);
  });

  it('deletes the configuration when the account had none', async () => {
    // Prepare
    s3Control.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON });

    // Act
    const plan = await accountPublicAccessRelease.plan(
      { accountId: TEST_ACCOUNT, previous: null, applied },
      context(),
    );
    await plan.apply();

    // Assess
    expect(s3Control).toHaveReceivedCommandWith(DeletePublicAccessBlockCommand, { AccountId: TEST_ACCOUNT });
    expect(s3Control).not.toHaveReceivedCommand(PutPublicAccessBlockCommand);
  });

  it('changes nothing when the configuration is back already', async () => {
    // Prepare
    s3Control.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ACLS_ONLY });

    // Act
    const plan = await accountPublicAccessRelease.plan(
      { accountId: TEST_ACCOUNT, previous, applied },
      context(),
    );

    // Assess
    expect(plan.changes).toEqual([]);
  });

  it('refuses, named, to overwrite settings someone changed since the fix', async () => {
    // Prepare
    s3Control.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: { ...ALL_ON, RestrictPublicBuckets: false, BlockPublicAcls: false },
    });

    // Act
    const plan = accountPublicAccessRelease.plan({ accountId: TEST_ACCOUNT, previous, applied }, context());

    // Assess
    await expect(plan).rejects.toMatchObject({ name: 'ActionFailedError' });
    await expect(plan).rejects.toThrow(/Someone changed it since/);
    expect(s3Control).not.toHaveReceivedCommand(PutPublicAccessBlockCommand);
  });
});
