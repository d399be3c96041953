import { describe, expect, it } from 'vitest';
import { createApprovalApi } from '../../src/approval/api.ts';
import type { ApprovalApiDependencies } from '../../src/approval/http.ts';
import { requestApproval } from '../../src/approval/request-approval.ts';
import { STEP_WORDS } from '../../src/approval/step-words.generated.ts';
import { ask, LINK_KEY, pageRequest, recordingCallbacks, SLACK_SECRET } from './fixtures.ts';
import { groupHarness, stormPayload } from './group-fixtures.ts';

/** A storm member as intake makes it: the instance's Name tag, what GuardDuty saw, the finding's id. */
function readableStormPayload(n: number): Record<string, unknown> {
  const payload = stormPayload(n);
  const incident = payload.incident as Record<string, unknown> & {
    resources: Array<Record<string, unknown>>;
  };
  return {
    ...payload,
    incident: {
      ...incident,
      nativeId: `b4b01b60fc24a199139f8f5f490e${n.toString(16).padStart(4, '0')}`,
      resources: incident.resources.map((resource) => ({ ...resource, tags: { Name: `batch-worker-${n}` } })),
      evidence: {
        actionType: 'DNS_REQUEST',
        domain: 'pool.minergate.example',
        count: 10 * n,
        firstSeen: '2026-11-28T09:30:00.000Z',
        lastSeen: '2026-11-28T09:59:00.000Z',
      },
    },
  };
}

async function storm(size: number) {
  const harness = groupHarness();
  const { updateSlack: _none, ...asking } = harness.ports();
  let link = '';
  for (let n = 1; n <= size; n += 1) link = (await requestApproval(readableStormPayload(n), asking)).link;
  return { harness, link: new URL(link) };
}

const DNS_STEPS = ['contain-instance', 'snapshot-volumes', 'notify'];

describe('a group approval reads like a single one', () => {
  it('its Slack message: the members by name, what GuardDuty saw of the newest, the steps in words', async () => {
    // Act
    const { harness } = await storm(2);
    const text = JSON.stringify(harness.posts[0]);

    // Assess
    expect(text).toContain('• #1 *batch-worker-1* `i-00000000000000001` ec2-instance');
    expect(text).toContain('*What GuardDuty saw (#1, the newest)*');
    expect(text).toContain('Domain asked: pool.minergate.example');
    expect(text).toContain('Seen: 10 times');
    expect(text).toContain('|Finding in the GuardDuty console>');
    for (const step of DNS_STEPS) expect(text).toContain(JSON.stringify(STEP_WORDS[step]).slice(1, -1));
  });

  it('its e-mail: the steps in words', async () => {
    // Act
    const { harness } = await storm(1);

    // Assess
    expect(harness.published[0]?.message).toContain(
      `  - ${STEP_WORDS['snapshot-volumes']} (snapshot-volumes)`,
    );
  });

  it('its page: the members by name, what GuardDuty saw of the newest, the steps in words, local times', async () => {
    // Prepare
    const { harness, link } = await storm(3);
    const deps: ApprovalApiDependencies = {
      store: harness.store,
      groups: harness.groups,
      callbacks: recordingCallbacks(),
      secrets: async () => ({ linkSigningKey: LINK_KEY, slackSigningSecret: SLACK_SECRET }),
      now: harness.now,
      identify: () => undefined,
      isInUserGroup: async () => false,
      slack: { replace: async () => undefined, tell: async () => undefined },
      secureCookies: true,
    };

    // Act
    const api = createApprovalApi(deps);
    const page = await ask(api, pageRequest(link));
    await api.settled();

    // Assess
    expect(page.status).toBe(200);
    expect(page.body).toContain('<strong>batch-worker-2</strong> <code>i-00000000000000002</code>');
    expect(page.body).toContain('<h2 id="evidence">What GuardDuty saw (#3, the newest)</h2>');
    expect(page.body).toContain('<dt>Seen</dt><dd>30 times</dd>');
    expect(page.body).toContain('fId=b4b01b60fc24a199139f8f5f490e0003');
    for (const step of DNS_STEPS) {
      expect(page.body).toContain(
        `<li>${(STEP_WORDS[step] ?? '').replace(/'/g, '&#39;')}<br><code>${step}</code></li>`,
      );
    }
    expect(page.body).toMatch(
      /<dt>Opened<\/dt><dd><time datetime="[^"]+">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<\/time>/,
    );
  });
});
