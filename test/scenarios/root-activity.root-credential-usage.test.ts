import { describe, expect, it } from 'vitest';
import { loadEvent } from '../support/events.ts';
import { runScenario } from '../support/scenario.ts';

describe('root-activity: the root user is active', () => {
  it('notifies, critical attention, and changes nothing (root cannot be revoked by IAM policy)', async () => {
    const { sandbox, execution, incident } = await runScenario(
      loadEvent('guardduty/eb-pascalcase-root-credential-usage-placeholders.json'),
    );
    expect(execution).toMatchObject({ playbook: 'root-activity', status: 'SUCCEEDED' });
    expect(execution?.steps.map((step) => step.id)).toEqual(['notify']);
    const mutating = sandbox.account
      .mutatingCalls()
      .filter((call) => call.service !== 'DynamoDB' && call.service !== 'SNS');
    expect(mutating).toEqual([]);
    const [message] = sandbox.sns.messages(`arn:aws:sns:us-east-1:${incident.account}:cordon-notifications`);
    expect(JSON.stringify(message)).toContain('root-activity');
  });
});
