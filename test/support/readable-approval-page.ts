/**
 * The readable approval page in a real browser, as the browser test checks it and the docs' screenshot shows
 * it: the approval of a real GuardDuty event (readable-fixtures.ts), served by the local approval server, opened
 * at a phone's viewport in a given time zone with the browser's clock set (the page's script counts the time
 * left from the browser's own clock).
 */
import type { Browser, Page } from 'playwright-core';
import { signApprovalLink } from '../../packages/core/src/approval/links.ts';
import type { ApprovalRecord } from '../../packages/core/src/approval/records.ts';
import { APPROVER_WEB, LINK_KEY, recordingCallbacks } from '../../packages/core/test/approval/fixtures.ts';
import { readableApproval } from '../../packages/core/test/approval/readable-fixtures.ts';
import { startApprovalServer } from '../../packages/local/src/approval-server.ts';

/** A phone: the iPhone X/11 Pro width, 375 CSS pixels (the brief's "no horizontal scroll at 375 px"). */
export const PHONE_VIEWPORT = { width: 375, height: 812 } as const;
/** When the page is opened: five minutes after the request (it expires at 10:59:30 UTC). */
export const OPENED_AT = new Date('2026-11-28T10:05:00.000Z');

export interface OpenedApprovalPage {
  readonly page: Page;
  readonly record: ApprovalRecord;
  close(): Promise<void>;
}

export async function openReadableApprovalPage(
  browser: Browser,
  options: { readonly timezoneId: string; readonly locale?: string },
): Promise<OpenedApprovalPage> {
  const { record, store } = await readableApproval();
  const server = await startApprovalServer({
    store,
    callbacks: recordingCallbacks(),
    linkSigningKey: LINK_KEY,
    now: () => OPENED_AT,
    operator: { id: APPROVER_WEB, name: 'Alice' },
    trustLocalOperator: false,
  });
  const context = await browser.newContext({
    viewport: PHONE_VIEWPORT,
    timezoneId: options.timezoneId,
    locale: options.locale ?? 'en-GB',
    deviceScaleFactor: 2,
  });
  const page = await context.newPage();
  await page.clock.setFixedTime(OPENED_AT);
  const link = signApprovalLink({
    baseUrl: server.url,
    approvalId: record.approvalId,
    expiresAt: new Date(record.expiresAt),
    key: LINK_KEY,
  });
  await page.goto(link);
  return {
    page,
    record,
    async close() {
      await context.close();
      await server.close();
    },
  };
}
