import { describe, expect, it } from 'vitest';
import { alarmEvent } from '../support/intake-cases.ts';
import { runScenario } from '../support/scenario.ts';

// Issue 12 and 13: the deployed alarm rule delivers every alarm entering ALARM, and the settings' alarm
// playbooks match common real names deliberately (docs/intake.md, "Alarm names").
describe('root-activity: the CIS root-usage alarm under the names teams give it', () => {
  it.each(['CIS-1.7-RootAccountUsage', 'root_usage_alarm'])(
    '%s reaches triage through the deployed rule and runs root-activity under the default settings',
    async (name) => {
      const { delivery, execution, deployment, sandbox } = await runScenario(alarmEvent(name));
      expect(delivery).toMatchObject({
        outcome: 'delivered',
        via: 'eventbridge',
        rules: ['cloudwatch-alarms'],
      });
      expect(execution).toMatchObject({ playbook: 'root-activity', status: 'SUCCEEDED' });
      expect(sandbox.sns.messages(deployment.topicArn)[0]?.subject).toContain('CRITICAL root-activity');
    },
  );

  it('delivers an alarm nobody mapped, records it and starts nothing', async () => {
    const { delivery, result, execution, sandbox } = await runScenario(alarmEvent('RootVolumeUsageHigh'));
    expect(delivery).toMatchObject({ outcome: 'delivered', rules: ['cloudwatch-alarms'] });
    expect(result).toMatchObject({ outcome: 'ignored', decision: { action: 'ignore' } });
    expect(execution).toBeUndefined();
    // Recorded in the ledger table, as every decision is.
    expect(
      sandbox.account.calls.some(
        (call) =>
          call.command === 'PutItem' &&
          JSON.stringify(call.input).includes('is not mapped to a playbook in settings.alarmPlaybooks'),
      ),
    ).toBe(true);
  });
});
