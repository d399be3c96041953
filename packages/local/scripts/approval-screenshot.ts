/**
 * `npm run docs:screenshot`: the approval page of a real GuardDuty event (the Tor-caller finding), as the
 * browser test opens it — Debian's chromium, 375×812, Europe/Berlin — saved to docs/images/approval-page.png
 * for docs/on-call.md. The whole page, as a phone scrolls it.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from '../../../test/support/browser.ts';
import { openReadableApprovalPage } from '../../../test/support/readable-approval-page.ts';

const target = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'docs',
  'images',
  'approval-page.png',
);

if (!HAS_CHROMIUM) {
  console.error(`No chromium at ${CHROMIUM}: apt-get install -y chromium`);
  process.exit(1);
}
const browser = await launchChromium();
try {
  const opened = await openReadableApprovalPage(browser, { timezoneId: 'Europe/Berlin' });
  try {
    await opened.page.screenshot({ path: target, fullPage: true });
  } finally {
    await opened.close();
  }
} finally {
  await browser.close();
}
console.log(`wrote ${target}`);
