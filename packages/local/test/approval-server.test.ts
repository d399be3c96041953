import { MemoryApprovalStore } from '@cordon/core/approval/records';
import { afterEach, describe, expect, it } from 'vitest';
import { signApprovalLink } from '../../core/src/approval/links.ts';
import {
  APPROVAL_ID,
  LINK_KEY,
  pendingRecord,
  recordingCallbacks,
  SLACK_SECRET,
  slackClick,
  slackRequest,
  TASK_TOKEN,
} from '../../core/test/approval/fixtures.ts';
import { type RunningApprovalServer, startApprovalServer } from '../src/approval-server.ts';

const LATER = new Date('2026-11-28T10:05:00.000Z');
let running: RunningApprovalServer | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(options: { trustLocalOperator?: boolean } = {}) {
  const store = new MemoryApprovalStore();
  await store.create(pendingRecord());
  const callbacks = recordingCallbacks();
  running = await startApprovalServer({
    store,
    callbacks,
    linkSigningKey: LINK_KEY,
    slackSigningSecret: SLACK_SECRET,
    now: () => LATER,
    operator: { id: 'local-tester' },
    ...options,
  });
  const link = new URL(
    signApprovalLink({
      baseUrl: running.url,
      approvalId: APPROVAL_ID,
      expiresAt: new Date(pendingRecord().expiresAt),
      key: LINK_KEY,
    }),
  );
  return { store, callbacks, server: running, link };
}

/** Opens the page, then posts its form back with its cookie, like a browser. */
async function decide(link: URL, decision: 'approve' | 'reject') {
  const page = await fetch(link);
  const html = await page.text();
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return fetch(new URL(`/approvals/${APPROVAL_ID}/decision`, link), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({
      sig: link.searchParams.get('sig') ?? '',
      exp: link.searchParams.get('exp') ?? '',
      csrf,
      decision,
      comment: 'from the local page',
    }),
  });
}

describe('the local approval server', () => {
  it('listens on 127.0.0.1 on a free port', async () => {
    // Act
    const { server } = await start();

    // Assess
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('never changes state on GET', async () => {
    // Prepare
    const { store, callbacks, link } = await start();

    // Act
    const response = await fetch(link);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(await response.text()).toContain('contain-instance');
    expect((await store.get(APPROVAL_ID))?.status).toBe('pending');
    expect(callbacks.calls).toEqual([]);
  });

  it('the local operator decides from the page: SendTaskSuccess through the engine callbacks', async () => {
    // Prepare
    const { store, callbacks, link } = await start();

    // Act
    const response = await decide(link, 'approve');

    // Assess
    expect(response.status).toBe(200);
    expect(callbacks.calls).toMatchObject([{ kind: 'success', token: TASK_TOKEN }]);
    expect((await store.get(APPROVAL_ID))?.decision).toMatchObject({
      decidedBy: { kind: 'web', id: 'local-tester' },
      comment: 'from the local page',
    });
  });

  it('a rejection is SendTaskFailure with ApprovalRejected, never success', async () => {
    // Prepare
    const { callbacks, link } = await start();

    // Act
    await decide(link, 'reject');

    // Assess
    expect(callbacks.calls).toMatchObject([{ kind: 'failure', error: 'ApprovalRejected' }]);
  });

  it('a second decision answers 409 and changes nothing', async () => {
    // Prepare
    const { callbacks, link } = await start();
    const secondTab = await fetch(link);
    const secondHtml = await secondTab.text();
    await decide(link, 'approve');

    // Act
    const second = await fetch(new URL(`/approvals/${APPROVAL_ID}/decision`, link), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: (secondTab.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
      },
      body: new URLSearchParams({
        sig: link.searchParams.get('sig') ?? '',
        exp: link.searchParams.get('exp') ?? '',
        csrf: /name="csrf" value="([^"]+)"/.exec(secondHtml)?.[1] ?? '',
        decision: 'reject',
      }),
    });

    // Assess
    expect(second.status).toBe(409);
    expect(callbacks.calls).toHaveLength(1);
  });

  it('with trustLocalOperator false, only configured approvers may decide', async () => {
    // Prepare
    const { callbacks, link } = await start({ trustLocalOperator: false });

    // Act
    const response = await decide(link, 'approve');

    // Assess
    expect(response.status).toBe(403);
    expect(callbacks.calls).toEqual([]);
  });

  it('answers a signed Slack click at once and runs the callback after the response', async () => {
    // Prepare
    const { callbacks, server } = await start();
    const request = slackRequest(slackClick(), { timestamp: LATER.getTime() / 1000 });

    // Act
    const response = await fetch(`${server.url}/slack/interactions`, {
      method: 'POST',
      headers: request.headers as Record<string, string>,
      body: request.body,
    });
    await server.close();
    running = undefined;

    // Assess
    expect(response.status).toBe(200);
    expect(callbacks.calls).toMatchObject([{ kind: 'success' }]);
  });

  it('refuses a body over the limit with 413', async () => {
    // Prepare
    const { server } = await start();

    // Act
    const response = await fetch(`${server.url}/approvals/${APPROVAL_ID}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a'.repeat(200_000),
    }).catch(() => undefined);

    // Assess: a 413, or the connection closed on an over-long upload; never a decision
    expect(response === undefined || response.status === 413).toBe(true);
  });

  it('answers a malformed path with 404, not 500', async () => {
    // Prepare
    const { server } = await start();

    // Act
    const response = await fetch(`${server.url}/approvals/%ZZ%00/../x?sig=%ZZ`);

    // Assess
    expect(response.status).toBe(404);
  });
});
