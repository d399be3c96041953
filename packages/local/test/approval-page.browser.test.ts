import { MemoryApprovalStore } from '@cordon/core/approval/records';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from '../../../test/support/browser.ts';
import { openReadableApprovalPage, PHONE_VIEWPORT } from '../../../test/support/readable-approval-page.ts';
import { signApprovalLink } from '../../core/src/approval/links.ts';
import { requestApproval } from '../../core/src/approval/request-approval.ts';
import { STEP_WORDS } from '../../core/src/approval/step-words.generated.ts';
import {
  APPROVAL_ID,
  APPROVER_WEB,
  LINK_KEY,
  pendingRecord,
  recordingCallbacks,
  TASK_TOKEN,
} from '../../core/test/approval/fixtures.ts';
import { groupHarness, stormPayload } from '../../core/test/approval/group-fixtures.ts';
import { type RunningApprovalServer, startApprovalServer } from '../src/approval-server.ts';

const LATER = new Date('2026-11-28T10:05:00.000Z');

// Skipped only when Debian's chromium is not installed (`apt-get install -y chromium`).
describe.skipIf(!HAS_CHROMIUM)(`the approval page in a real browser (${CHROMIUM})`, () => {
  let browser: Browser;
  let server: RunningApprovalServer | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function open() {
    const store = new MemoryApprovalStore();
    await store.create(pendingRecord());
    const callbacks = recordingCallbacks();
    server = await startApprovalServer({
      store,
      callbacks,
      linkSigningKey: LINK_KEY,
      now: () => LATER,
      operator: { id: APPROVER_WEB, name: 'Alice' },
      trustLocalOperator: false,
    });
    const link = signApprovalLink({
      baseUrl: server.url,
      approvalId: APPROVAL_ID,
      expiresAt: new Date(pendingRecord().expiresAt),
      key: LINK_KEY,
    });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(link);
    return { store, callbacks, page };
  }

  it('shows the proposed actions; Approve records a success callback and the page says approved', async () => {
    // Prepare
    const { store, callbacks, page } = await open();
    await expect(page.getByRole('heading', { name: 'Approval needed' }).isVisible()).resolves.toBe(true);
    for (const step of ['contain-instance', 'snapshot-volumes']) {
      await expect(page.locator('ol').getByText(step, { exact: true }).isVisible()).resolves.toBe(true);
    }
    expect(callbacks.calls).toEqual([]);

    // Act
    await page.getByLabel('Comment').fill('contain it now');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForSelector('#outcome');

    // Assess
    await expect(page.locator('h1').textContent()).resolves.toBe('Approved');
    await expect(page.locator('#outcome').textContent()).resolves.toContain('Approved by Alice on this page');
    expect(callbacks.calls).toMatchObject([
      { kind: 'success', token: TASK_TOKEN, output: { decision: 'approve', comment: 'contain it now' } },
    ]);
    expect((await store.get(APPROVAL_ID))?.status).toBe('approved');
    await page.close();
  });

  it('Reject records a failure callback with ApprovalRejected', async () => {
    // Prepare
    const { callbacks, page } = await open();

    // Act
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.waitForSelector('#outcome');

    // Assess
    await expect(page.locator('h1').textContent()).resolves.toBe('Rejected');
    expect(callbacks.calls).toMatchObject([
      { kind: 'failure', token: TASK_TOKEN, error: 'ApprovalRejected' },
    ]);
    await page.close();
  });

  it('at 375×812 in Europe/Berlin: the steps in words, the evidence, the name, the links, the time left in Berlin time, no horizontal scroll', async () => {
    // Prepare
    const opened = await openReadableApprovalPage(browser, { timezoneId: 'Europe/Berlin' });
    const { page, record } = opened;
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    // The listeners are set after the first load: load again, so that a script error would be seen.
    await page.reload();

    try {
      // Act: the page's script has run on load
      const expiry = await page.locator('time[data-left]').textContent();

      // Assess: the time left, in the reader's zone (10:59 UTC is 11:59 in Berlin in November), UTC kept beside it
      expect(expiry).toMatch(/^in 54 min \(at 28 Nov 2026, 11:59 (CET|GMT\+1)\)$/);
      await expect(page.getByText('2026-11-28 10:59 UTC', { exact: true }).isVisible()).resolves.toBe(true);
      await expect(
        page
          .locator('dd', { has: page.locator('time[datetime="2017-12-08T15:32:49.000Z"]') })
          .first()
          .textContent(),
      ).resolves.toMatch(/8 Dec 2017, 16:32 (CET|GMT\+1)/);
      for (const step of ['deactivate-access-key', 'revoke-sessions', 'disable-console-access']) {
        await expect(page.getByText(STEP_WORDS[step] ?? step, { exact: false }).isVisible()).resolves.toBe(
          true,
        );
      }
      await expect(
        page.getByText('GeneratedFindingAPIName (GeneratedFindingAPIServiceName)').isVisible(),
      ).resolves.toBe(true);
      await expect(
        page.getByText(/198\.51\.100\.0 — GeneratedFindingCityName, United States/).isVisible(),
      ).resolves.toBe(true);
      await expect(page.locator('#resources strong').textContent()).resolves.toBe('GeneratedFindingUserName');
      await expect(
        page.getByRole('link', { name: 'The finding in the GuardDuty console' }).getAttribute('href'),
      ).resolves.toContain('#/findings?macros=current&fId=36b01b60fc22bb4edb19d62d9899e953');
      await expect(
        page
          .getByRole('link', { name: 'The playbook’s execution in the Step Functions console' })
          .getAttribute('href'),
      ).resolves.toContain(`#/v2/executions/details/${record.executionArn}`);
      // A string, evaluated in the page: this package's TypeScript has no DOM types.
      const widths = (await page.evaluate(
        '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })',
      )) as { scroll: number; inner: number };
      expect(widths.inner).toBe(PHONE_VIEWPORT.width);
      expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
      expect(errors).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it('runs no script but its own and reloading the decided page decides nothing more', async () => {
    // Prepare
    const { callbacks, page } = await open();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForSelector('#outcome');

    // Act: open the link again (a second tab, a mail scanner)
    await page.goBack();
    await page.reload();

    // Assess
    await expect(page.locator('form').count()).resolves.toBe(0);
    expect(callbacks.calls).toHaveLength(1);
    expect(errors.filter((text) => text.includes('Content Security Policy'))).toEqual([]);
    await page.close();
  });

  describe('the group page', () => {
    async function openGroup(size: number) {
      const harness = groupHarness({ start: LATER });
      const callbacks = recordingCallbacks();
      server = await startApprovalServer({
        store: harness.store,
        groups: harness.groups,
        callbacks,
        linkSigningKey: LINK_KEY,
        now: harness.now,
        operator: { id: APPROVER_WEB, name: 'Alice' },
        trustLocalOperator: false,
      });
      const { updateSlack: _none, ...asking } = harness.ports({ linkBaseUrl: server.url });
      let link = '';
      for (let n = 1; n <= size; n += 1) link = (await requestApproval(stormPayload(n), asking)).link;
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(link);
      return { harness, callbacks, page, link, errors };
    }

    it('decides one member from its row, then all the waiting ones: each task answered once, no script run', async () => {
      // Prepare
      const { callbacks, page, link, errors } = await openGroup(3);
      await expect(page.getByRole('heading', { name: /Approval needed: 3 ×/ }).isVisible()).resolves.toBe(
        true,
      );

      // Act
      await page
        .locator('tr', { hasText: 'i-00000000000000002' })
        .getByRole('button', { name: 'Reject' })
        .click();
      await page.waitForSelector('#outcome');
      await page.goto(link);
      await page.getByLabel('Comment').fill('the worm, contain it');
      await page.getByRole('button', { name: 'Approve all waiting' }).click();
      await page.waitForSelector('#outcome');

      // Assess
      await expect(page.locator('#outcome').textContent()).resolves.toContain(
        '1 already decided (one by one)',
      );
      const byToken = Object.fromEntries(callbacks.calls.map((call) => [call.token, call.kind]));
      expect(byToken).toEqual({
        [String(stormPayload(1).taskToken)]: 'success',
        [String(stormPayload(2).taskToken)]: 'failure',
        [String(stormPayload(3).taskToken)]: 'success',
      });
      expect(callbacks.calls).toHaveLength(3);
      expect(callbacks.calls.find((call) => call.kind === 'success')?.output).toMatchObject({
        comment: 'the worm, contain it',
      });
      expect(errors.filter((text) => text.includes('Content Security Policy'))).toEqual([]);
      await page.close();
    });
  });
});
