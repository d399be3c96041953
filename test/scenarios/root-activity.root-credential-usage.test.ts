import { describe, expect, it } from 'vitest';
import { camelCaseKeys } from '../../packages/core/src/intake/pascal-case.ts';
import { loadEvent } from '../support/events.ts';
import { runScenario } from '../support/scenario.ts';

describe('root-activity: the root user is active', () => {
  it('notifies, critical attention, and changes nothing (root cannot be revoked by IAM policy)', async () => {
    // The sample's finding is in the SDK's PascalCase, which EventBridge never delivers (its rule drops it),
    // and it names no region, which GetFindings always does (the poller's triage rejects it): delivered here
    // as EventBridge delivers a finding, in camelCase.
    const sample = loadEvent('guardduty/eb-pascalcase-root-credential-usage-placeholders.json');
    const { sandbox, execution, deployment, delivery } = await runScenario({
      ...sample,
      detail: camelCaseKeys(sample.detail),
    });
    expect(delivery).toMatchObject({
      outcome: 'delivered',
      via: 'eventbridge',
      rules: ['guardduty-findings'],
    });
    expect(execution).toMatchObject({ playbook: 'root-activity', status: 'SUCCEEDED' });
    expect(execution?.steps.map((step) => step.id)).toEqual(['notify']);
    // Cordon's own calls (each made as one of its roles): the ledger and the notification only.
    const mutating = sandbox.account
      .mutatingCalls()
      .filter((call) => call.principal !== undefined)
      .filter((call) => call.service !== 'DynamoDB' && call.service !== 'SNS');
    expect(mutating.map((call) => `${call.service}.${call.command}`)).toEqual(['SFN.StartExecution']);
    const [message] = sandbox.sns.messages(deployment.topicArn);
    expect(JSON.stringify(message)).toContain('root-activity');
  });
});
