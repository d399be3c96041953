import { describe, expect, it } from 'vitest';
import { renderApprovalPage } from '../../src/approval/page.ts';
import { STEP_WORDS } from '../../src/approval/step-words.generated.ts';
import { NOW } from './fixtures.ts';
import { executionArnOf, readableApproval } from './readable-fixtures.ts';

const HOSTILE_USER = '<!channel> <img src=x onerror=alert(1)> ＜@U0BOSS＞ &';
const FINDING_URL =
  'https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=36b01b60fc22bb4edb19d62d9899e953';

function withUserName(userName: string) {
  return (event: Record<string, unknown>) => {
    const detail = event.detail as { resource: { accessKeyDetails: { userName: string } } };
    detail.resource.accessKeyDetails.userName = userName;
  };
}

function page(record: Awaited<ReturnType<typeof readableApproval>>['record']) {
  return renderApprovalPage({ record, sig: 'a'.repeat(64), exp: '1795863570', csrfToken: 'n.t', now: NOW });
}

describe('the approval carries what the finding says (request-approval from a real event)', () => {
  it('records the evidence, the finding id and the execution', async () => {
    // Act
    const { record } = await readableApproval();

    // Assess
    expect(record.evidence).toMatchObject({
      api: 'GeneratedFindingAPIName',
      remote: { ip: '198.51.100.0', country: 'United States', city: 'GeneratedFindingCityName', asn: '-1' },
      count: 1,
      firstSeen: '2017-12-08T15:32:49.000Z',
    });
    expect(record.findingId).toBe('36b01b60fc22bb4edb19d62d9899e953');
    expect(record.executionArn).toBe(executionArnOf(record.incidentId));
  });

  it('drops evidence of another shape, and asks all the same', async () => {
    // Act
    const { record } = await readableApproval({
      edit: (event) => {
        (event.detail as { service: { count: unknown } }).service.count = 'many';
      },
    });

    // Assess: intake drops a count that is not one; the rest of the evidence stays
    expect(record.evidence?.count).toBeUndefined();
    expect(record.evidence?.api).toBe('GeneratedFindingAPIName');
  });
});

describe('the approval page', () => {
  it('shows each step in words, the evidence, the principal by name, the links and the time left', async () => {
    // Prepare
    const { record } = await readableApproval();

    // Act
    const html = page(record);

    // Assess
    for (const step of ['deactivate-access-key', 'revoke-sessions', 'disable-console-access']) {
      const words = STEP_WORDS[step] ?? '';
      expect(words).not.toBe('');
      expect(html).toContain(`<li>${words.replace(/'/g, '&#39;')}<br><code>${step}</code></li>`);
    }
    expect(html).toContain(
      '<dt>API called</dt><dd>GeneratedFindingAPIName (GeneratedFindingAPIServiceName)</dd>',
    );
    expect(html).toContain(
      '<dt>From</dt><dd>198.51.100.0 — GeneratedFindingCityName, United States — AS-1 GeneratedFindingASNOrg</dd>',
    );
    expect(html).toContain('<dt>Seen</dt><dd>once</dd>');
    expect(html).toContain(
      '<dt>First seen</dt><dd><time datetime="2017-12-08T15:32:49.000Z">2017-12-08 15:32 UTC</time>',
    );
    expect(html).toContain(
      '<strong>GeneratedFindingUserName</strong> <code>GeneratedFindingAccessKeyId</code>',
    );
    expect(html).toContain(`href="${FINDING_URL.replace(/&/g, '&amp;')}"`);
    expect(html).toContain(
      `href="https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${executionArnOf(record.incidentId)}"`,
    );
    expect(html).toContain(
      '<time datetime="2026-11-28T10:59:30.000Z" data-left>in 59 min (at 2026-11-28 10:59 UTC)</time>',
    );
  });

  it('escapes a hostile user name from the finding', async () => {
    // Prepare
    const { record } = await readableApproval({ edit: withUserName(HOSTILE_USER) });

    // Act
    const html = page(record);

    // Assess
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;!channel&gt; &lt;img src=x onerror=alert(1)&gt; ＜@U0BOSS＞ &amp;');
  });
});

describe('the Slack message', () => {
  it('shows each step in words, the evidence, the name, the links and the expiry in the reader’s zone', async () => {
    // Act
    const { slack } = await readableApproval();
    const text = JSON.stringify(slack);

    // Assess
    expect(text).toContain(JSON.stringify(STEP_WORDS['revoke-sessions']).slice(1, -1));
    expect(text).toContain('API called: GeneratedFindingAPIName (GeneratedFindingAPIServiceName)');
    expect(text).toContain('From: 198.51.100.0 — GeneratedFindingCityName, United States');
    expect(text).toContain(
      'First seen: <!date^1512747169^{date_short_pretty} {time}|2017-12-08T15:32:49.000Z>',
    );
    expect(text).toContain('*GeneratedFindingUserName* `GeneratedFindingAccessKeyId`');
    expect(text).toContain(`<${FINDING_URL}|Finding in the GuardDuty console>`);
    expect(text).toContain('|Execution in the Step Functions console>');
    expect(text).toContain(
      'expires <!date^1795863570^{date_short_pretty} {time}|2026-11-28T10:59:30.000Z> (59 min after it was asked)',
    );
  });

  it('escapes a hostile user name: NFKC first (＜ becomes <), then Slack’s escaping', async () => {
    // Act
    const { slack } = await readableApproval({ edit: withUserName(HOSTILE_USER) });
    const text = JSON.stringify(slack);

    // Assess
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U0BOSS>');
    expect(text).toContain('*&lt;!channel&gt; &lt;img src=x onerror=alert(1)&gt; &lt;@U0BOSS&gt; &amp;*');
  });
});

describe('the e-mail', () => {
  it('says the same in plain text: steps in words, evidence, the name, the finding’s link', async () => {
    // Act
    const { email } = await readableApproval();

    // Assess
    expect(email).toContain(`  - ${STEP_WORDS['deactivate-access-key']} (deactivate-access-key)`);
    expect(email).toContain('  From: 198.51.100.0 — GeneratedFindingCityName, United States');
    expect(email).toContain('  - GeneratedFindingUserName GeneratedFindingAccessKeyId (access-key)');
    expect(email).toContain(`The finding: ${FINDING_URL}`);
  });
});
