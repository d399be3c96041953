import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderActionsDoc } from '../../src/actions/actions-doc.ts';
import { ACTION_IDS, ACTIONS, clientsUsedBy } from '../../src/actions/catalog.ts';
import { RETRYABLE_ERROR_NAMES } from '../../src/errors.ts';
import { CONTAINMENT_PART_IDS, STEP_IDS } from '../../src/playbooks/ids.ts';

const CLIENT_PACKAGES = {
  ec2: 'client-ec2',
  iam: 'client-iam',
  autoScaling: 'client-auto-scaling',
  elbv2: 'client-elastic-load-balancing-v2',
  elb: 'client-elastic-load-balancing',
  sns: 'client-sns',
  s3: 'client-s3',
  s3Control: 'client-s3-control',
  cloudTrail: 'client-cloudtrail',
  kms: 'client-kms',
  rds: 'client-rds',
} as const;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

// What a new action still lacks (handler, tests, state, playbook, docs, sandbox model) is named by
// test/conformance/conformance.test.ts; this file checks what each declared action says.
describe('the action catalog', () => {
  it('has an action for every step id but request-approval and the parts contain-instance runs', () => {
    const parts: readonly string[] = CONTAINMENT_PART_IDS;
    expect([...ACTION_IDS].sort()).toEqual(
      STEP_IDS.filter((id) => id !== 'request-approval' && !parts.includes(id)).sort(),
    );
  });

  it.each(ACTION_IDS)('%s is a complete declared unit', (id) => {
    const action = ACTIONS[id];
    expect(action.id).toBe(id);
    for (const text of [action.summary, action.undo, action.dryRunBehaviour])
      expect(text.length).toBeGreaterThan(20);
    expect(action.permissions.length).toBeGreaterThan(0);
    for (const permission of action.permissions) {
      expect(permission.actions.length).toBeGreaterThan(0);
      // Each IAM action name is checked against the Service Authorization Reference data (exists, spelled as
      // AWS spells it) in packages/local/test/iam/action-names.test.ts.
      for (const resource of permission.resources)
        expect(resource === '*' || resource.startsWith('arn:aws:')).toBe(true);
      expect(permission.why.length).toBeGreaterThan(10);
    }
    for (const name of action.retryableErrors) expect(RETRYABLE_ERROR_NAMES).toContain(name);
    // The input schema is strict about the envelope: an empty input is refused.
    expect(action.input.safeParse({}).success).toBe(false);
  });

  it.each(ACTION_IDS)('%s grants no action wildcard', (id) => {
    const names = ACTIONS[id].permissions.flatMap((permission) => permission.actions);
    expect(names.filter((name) => name.includes('*'))).toEqual([]);
  });

  it.each(ACTION_IDS)(
    '%s has a thin Lambda handler through the shared factory, with only the clients it may call',
    (id) => {
      const handler = readFileSync(join(root, 'packages/functions/src/handlers/actions', `${id}.ts`), 'utf8');
      expect(handler).toContain(`from '@cordon/core/actions/${id}'`);
      expect(handler).toMatch(/export const handler = createActionHandler\(\w+, \{\s*clients: \{/);
      const imported = [...handler.matchAll(/from '@aws-sdk\/(client-[a-z0-9-]+)'/g)]
        .map((match) => match[1])
        .sort();
      const expected = clientsUsedBy(ACTIONS[id])
        .map((client) => CLIENT_PACKAGES[client])
        .sort();
      expect(imported).toEqual(expected);
    },
  );

  it('reads the clients of an action from its permissions', () => {
    expect(clientsUsedBy(ACTIONS['deregister-from-load-balancers']).sort()).toEqual(['ec2', 'elb', 'elbv2']);
    expect(clientsUsedBy(ACTIONS.notify)).toEqual(['sns']);
    expect(clientsUsedBy(ACTIONS['deactivate-access-key'])).toEqual(['iam']);
  });

  it('is documented: docs/actions.md is generated from the catalog', () => {
    const doc = readFileSync(join(root, 'docs/actions.md'), 'utf8');
    expect(doc).toBe(renderActionsDoc());
    for (const id of ACTION_IDS) expect(doc).toContain(`## ${id}`);
  });

  it('documents, under each action that declares a release, what the release puts back and its permissions', () => {
    // Act
    const doc = renderActionsDoc();

    // Assess
    const released = ACTION_IDS.filter((id) => ACTIONS[id].release !== undefined);
    expect(released.length).toBeGreaterThan(0);
    for (const id of ACTION_IDS) {
      const section = doc.split(`\n## ${id}\n`)[1]?.split('\n## ')[0] ?? '';
      const release = ACTIONS[id].release;
      if (release === undefined) {
        expect(section).not.toContain('- **Release:**');
        continue;
      }
      expect(section).toContain(`- **Release:** ${release.summary}`);
      for (const name of release.permissions.flatMap((permission) => permission.actions)) {
        expect(section).toContain(`\`${name}\``);
      }
    }
  });
});
