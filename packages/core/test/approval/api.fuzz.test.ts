import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApprovalApi, IDENTITY_HEADER } from '../../src/approval/api.ts';
import { MemoryApprovalStore } from '../../src/approval/records.ts';
import {
  APPROVAL_ID,
  APPROVER_SLACK,
  APPROVER_WEB,
  asRequest,
  formRequest,
  LINK_KEY,
  OTHER_APPROVAL_ID,
  pendingRecord,
  recordingCallbacks,
  SLACK_SECRET,
  signedLink,
  slackClick,
  slackRequest,
  type TestRequest,
} from './fixtures.ts';

const LATER = new Date('2026-11-28T10:05:00.000Z');
// Valid signatures, but for another approval id: they must not open or decide this one.
const otherLink = signedLink(OTHER_APPROVAL_ID);
const otherSig = otherLink.searchParams.get('sig') ?? '';
const otherExp = otherLink.searchParams.get('exp') ?? '';

const ids = fc.oneof(
  fc.constant(APPROVAL_ID),
  fc.constant(OTHER_APPROVAL_ID),
  fc.string(),
  fc.stringMatching(/^[A-Za-z0-9_-]{20,70}$/),
  fc.constant('%2e%2e'),
  fc.constant('../approvals'),
);
const paths = fc.oneof(
  ids.map((id) => `/approvals/${id}`),
  ids.map((id) => `/approvals/${id}/decision`),
  fc.constant('/slack/interactions'),
  fc.constant('/slack/interactions/'),
  fc.string().map((text) => `/${text}`),
  // Any bytes a client may put in the path, percent-encoded as they arrive.
  fc.string({ unit: 'binary' }).map((text) => `/${encodeURI(text)}`),
);
const values = fc.oneof(
  fc.string(),
  fc.constant(otherSig),
  fc.constant(otherExp),
  fc.constant('0'.repeat(64)),
  fc.array(fc.string(), { maxLength: 3 }),
);
// Any method an HTTP server accepts: a token (RFC 9110), other than the ones `fetch` forbids.
const methods = fc.oneof(
  fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'get', 'post'),
  fc
    .stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,12}$/)
    .filter((method) => !['CONNECT', 'TRACE', 'TRACK'].includes(method.toUpperCase())),
);
// Header values as HTTP carries them: visible ASCII and spaces, no line breaks.
const headerText = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const headers = fc.record(
  {
    'content-type': fc.oneof(
      fc.constant('application/x-www-form-urlencoded'),
      fc.constant('application/json'),
      headerText,
    ),
    cookie: fc.oneof(
      headerText,
      headerText.map((token) => `cordon_csrf=${token}`),
    ),
    [IDENTITY_HEADER]: fc.oneof(fc.constant(APPROVER_WEB), headerText),
    'x-slack-request-timestamp': fc.oneof(fc.constant(String(LATER.getTime() / 1000)), headerText),
    'x-slack-signature': fc.oneof(fc.constant(`v0=${'a'.repeat(64)}`), headerText),
    'x-slack-retry-num': headerText,
  },
  { requiredKeys: [] },
);
const formBodies = fc
  .record(
    {
      sig: fc.oneof(fc.constant(otherSig), fc.string()),
      exp: fc.oneof(fc.constant(otherExp), fc.string()),
      csrf: fc.string(),
      decision: fc.oneof(fc.constantFrom('approve', 'reject'), fc.string()),
      comment: fc.string({ maxLength: 2000 }),
      payload: fc.oneof(
        fc.string(),
        fc.jsonValue().map((json) => JSON.stringify(json)),
      ),
    },
    { requiredKeys: [] },
  )
  .map((fields) => new URLSearchParams(fields).toString());

const randomRequests: fc.Arbitrary<TestRequest> = fc.record({
  method: methods,
  path: paths,
  query: fc.dictionary(fc.oneof(fc.constantFrom('sig', 'exp', 'decision'), fc.string()), values),
  headers,
  body: fc.oneof(formBodies, fc.string(), fc.string({ unit: 'binary' })),
});

// Correctly signed Slack requests that must still not decide: strangers, other ids, odd payloads.
const signedSlackRequests: fc.Arbitrary<TestRequest> = fc.oneof(
  fc
    .record({
      userId: fc.stringMatching(/^U[A-Z0-9]{2,12}$/).filter((id) => id !== APPROVER_SLACK),
      actionId: fc.constantFrom('cordon_approve', 'cordon_reject', 'other'),
      value: fc.oneof(fc.constant(APPROVAL_ID), fc.constant(OTHER_APPROVAL_ID), fc.string()),
      responseUrl: fc.oneof(fc.webUrl(), fc.string()),
    })
    .map((click) => slackRequest(slackClick(click))),
  fc
    .record({ value: fc.oneof(fc.constant(OTHER_APPROVAL_ID), fc.string()) })
    .map((click) => slackRequest(slackClick(click))),
  fc.jsonValue().map((payload) => slackRequest(payload)),
);

// Decision forms with everything right except one thing.
const nearlyValidDecisions: fc.Arbitrary<TestRequest> = fc
  .record({ id: fc.constantFrom(APPROVAL_ID, OTHER_APPROVAL_ID), csrf: fc.string(), cookie: fc.string() })
  .map(({ id, csrf, cookie }) =>
    formRequest(
      `/approvals/${id}/decision`,
      { sig: otherSig, exp: otherExp, csrf, decision: 'approve' },
      { cookie: `cordon_csrf=${cookie}`, [IDENTITY_HEADER]: APPROVER_WEB },
    ),
  );

describe('the approval API under malformed and hostile requests', () => {
  it('never answers 5xx and never decides', async () => {
    // Prepare
    const store = new MemoryApprovalStore();
    await store.create(pendingRecord());
    const callbacks = recordingCallbacks();
    const api = createApprovalApi({
      store,
      callbacks,
      secrets: async () => ({ linkSigningKey: LINK_KEY, slackSigningSecret: SLACK_SECRET }),
      now: () => LATER,
      identify: () => ({ id: APPROVER_WEB }),
      isInUserGroup: async () => false,
      slack: { replace: async () => undefined, tell: async () => undefined },
    });

    // Act / Assess
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(randomRequests, signedSlackRequests, nearlyValidDecisions),
        async (request) => {
          const response = await api.fetch(asRequest(request));
          await response.arrayBuffer();
          await api.settled();
          expect(response.status).toBeGreaterThanOrEqual(200);
          expect(response.status).toBeLessThan(500);
          expect(callbacks.calls).toEqual([]);
          expect((await store.get(APPROVAL_ID))?.status).toBe('pending');
        },
      ),
      { numRuns: 600 },
    );
  });
});
