import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium } from '../../../test/support/browser.ts';
import { eventPath } from '../../../test/support/events.ts';
import type { ApprovalPrompt } from '../../local/src/page-approvals.ts';
import { replay } from '../src/commands/replay.ts';

const EVENT = eventPath('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');

/** A replay that waits on the approval page, and the link it prints. */
function replayWaitingForApproval() {
  let prompted: (prompt: ApprovalPrompt) => void = () => undefined;
  const prompt = new Promise<ApprovalPrompt>((resolve) => {
    prompted = resolve;
  });
  const report = replay({
    file: EVENT,
    settings: { includeSampleFindings: true },
    approvalPage: { onPrompt: (shown) => prompted(shown) },
  });
  return { prompt, report };
}

// Skipped only when Debian's chromium is not installed (.ci/run installs it: `apt-get install -y chromium`).
describe.skipIf(!HAS_CHROMIUM)('a cordon replay decided in a real browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('opens the printed link, sees the proposed actions, clicks Approve, and the execution finishes SUCCEEDED', async () => {
    const { prompt, report } = replayWaitingForApproval();
    const { link } = await prompt;
    // A request joins the approval group of its kind, as deployed: the link is the group's page.
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/groups\/[\w-]+\?/);

    const page = await browser.newPage();
    await page.goto(link);
    await expect(page.locator('ol').getByText('contain-instance', { exact: true }).isVisible()).resolves.toBe(
      true,
    );
    await page.getByRole('button', { name: 'Approve all waiting' }).click();
    await page.waitForSelector('#outcome');
    await page.close();

    const finished = await report;
    expect(finished.execution.status).toBe('SUCCEEDED');
    expect(finished.steps.map((step) => step.id)).toContain('contain-instance');
    expect(finished.changes.map((change) => change.attribute)).toContain('security groups');
  }, 60_000);

  it('clicks Reject, and the execution ends without any change to the account', async () => {
    const { prompt, report } = replayWaitingForApproval();
    const page = await browser.newPage();
    await page.goto((await prompt).link);
    await page.getByRole('button', { name: 'Reject all waiting' }).click();
    await page.waitForSelector('#outcome');
    await page.close();

    const finished = await report;
    expect(finished.execution.status).toBe('SUCCEEDED');
    expect(finished.steps.map((step) => step.id)).not.toContain('contain-instance');
    expect(finished.changes).toEqual([]);
    const changing = finished.calls.filter(
      (call) =>
        !['DynamoDB', 'SNS', 'SFN'].includes(call.service) && !/^(Describe|Get|List)/.test(call.command),
    );
    expect(changing).toEqual([]);
  }, 60_000);
});
