import { describe, expect, it } from 'vitest';
import { MANUAL_FIXES } from '../../packages/core/src/playbooks/manual-fixes.ts';
import { ledgerEntries, loadDemoEvent } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

describe('manual-fix: rules no machine can fix safely are told, with what to do, and nothing changes', () => {
  it.each([
    {
      rule: 'ROOT_ACCOUNT_MFA_ENABLED',
      file: 'config-root-account-mfa-enabled-securityhub-noncompliant.json',
      resource: '123456789012',
      control: 'SecurityHub/IAM.9',
    },
    {
      rule: 'IAM_USER_MFA_ENABLED',
      file: 'config-iam-user-mfa-enabled-conformance-pack-noncompliant.json',
      resource: 'AIDAJQABLZS4A3QDU576Q',
      control: 'SecurityHub/IAM.19',
    },
    {
      rule: 'RDS_STORAGE_ENCRYPTED',
      file: 'config-rds-storage-encrypted-securityhub-noncompliant.json',
      resource: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY',
      control: 'SecurityHub/RDS.3',
    },
    {
      rule: 'S3_BUCKET_LOGGING_ENABLED',
      file: 'config-s3-bucket-logging-enabled-conformance-pack-noncompliant.json',
      resource: 'amzn-s3-demo-bucket-orders',
      control: 'SecurityHub/S3.9',
    },
  ] as const)(
    '$rule: the notification says the steps for the resource and the AWS pages; the ledger records it with the controls',
    async ({ rule, file, resource, control }) => {
      // Act
      const { deployment, execution, incident } = await runScenario(loadDemoEvent(file));

      // Assess
      expect(execution?.input.decision).toMatchObject({ playbook: 'manual-fix' });
      // The one step is the notification: nothing in the account is changed.
      expect(execution?.steps.map((step) => step.id)).toEqual(['notify']);
      const reason = execution?.input.decision.reason ?? '';
      const fix = MANUAL_FIXES[rule];
      expect(reason).toContain(`What to do (Cordon changes nothing: ${fix.why})`);
      expect(reason).toContain(`1. ${fix.steps[0].replaceAll('{resource}', resource)}`);
      for (const link of fix.links) expect(reason).toContain(link.url);
      const told = (await ledgerEntries(deployment, incident.id)).filter((entry) => entry.step === 'notify');
      expect(told.length).toBeGreaterThan(0);
      expect(told.every((entry) => entry.controls?.includes(control))).toBe(true);
    },
  );
});
