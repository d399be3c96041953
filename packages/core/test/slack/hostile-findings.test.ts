/**
 * Issue 12: a finding must never put `<!channel>`, a mention or a link into a channel — not through the
 * blocks, not through the top-level `text` (the push notification), not through a full-width `＜＞` that a
 * normaliser turns into `<>`. Every message Cordon posts is checked over hostile text in every field a
 * finding (or a person) controls.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOTIFY_EVENTS, type NotifyInput, notifySlackMessage } from '../../src/actions/notify.ts';
import { groupMessage } from '../../src/approval/group-messages.ts';
import type { ApprovalGroup } from '../../src/approval/groups.ts';
import { approvalMessage, decidedMessage } from '../../src/approval/slack-messages.ts';
import type { SlackMessage } from '../../src/slack/blocks.ts';
import { escapeMrkdwn, slackLink } from '../../src/slack/mrkdwn.ts';
import { pendingRecord, signedLink } from '../approval/fixtures.ts';
import { CORDON_DATE, hostileText, mrkdwnTexts, strayControlSequences } from './hostile.ts';

const APPROVAL_URL =
  'https://approvals.example.com/approvals/Yq3k0Vd1cB2m9xWZ_p-7aQ4s?exp=1795863570&sig=ab12';

function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** Every mrkdwn object is verbatim: Slack adds no links or mentions of its own. */
function everyMrkdwnIsVerbatim(message: SlackMessage): boolean {
  return message.blocks.every((block) => {
    const objects =
      block.type === 'section'
        ? [...(block.text === undefined ? [] : [block.text]), ...(block.fields ?? [])]
        : block.type === 'context'
          ? block.elements
          : [];
    return objects.every((object) => object.verbatim === true);
  });
}

function hostileNotification(
  text: { title: string; resource: string; user: string; error: string; note: string; step: string },
  event: NotifyInput['event'],
): NotifyInput {
  return {
    incidentId: text.title,
    account: '123456789012',
    region: 'us-east-1',
    dryRun: false,
    event,
    playbook: 'ec2-compromise',
    ...(event === 'step-failed' ? { failedStep: 'isolate-instance' as const } : {}),
    error: { name: text.error, message: text.error },
    message: text.note,
    steps: [{ id: text.step, status: text.step }],
    approvalUrl: APPROVAL_URL,
    incident: {
      id: text.title,
      title: text.title,
      category: 'instance-compromise',
      severity: { score: 8, label: 'high' },
      source: 'guardduty',
      account: '123456789012',
      region: 'us-east-1',
      resources: [{ instanceId: text.resource }, { userName: text.user }],
    },
  };
}

const hostileFields = fc.record({
  title: hostileText(),
  resource: hostileText(),
  user: hostileText(),
  error: hostileText(),
  note: hostileText(),
  step: hostileText(),
});

describe('notify’s Slack message over hostile findings', () => {
  it('the top-level text is escaped: a full-width ＜!channel＞ in a resource name never becomes <!channel>', () => {
    // Prepare
    const input = hostileNotification(
      { title: 't', resource: '＜!channel＞', user: 'u', error: 'e', note: 'n', step: 's' },
      'contained',
    );

    // Act
    const message = notifySlackMessage(input, false);

    // Assess
    expect(message.text).toBe('[Cordon] HIGH instance-compromise: &lt;!channel&gt; (+1) contained');
  });

  it('nothing Slack would parse as a control sequence survives in text or blocks (property)', () => {
    const link = literal(slackLink(APPROVAL_URL, 'Review and decide'));
    fc.assert(
      fc.property(hostileFields, fc.constantFrom(...NOTIFY_EVENTS), fc.boolean(), (fields, event, dryRun) => {
        // Act
        const message = notifySlackMessage(hostileNotification(fields, event), dryRun);

        // Assess
        for (const text of mrkdwnTexts(message)) expect(strayControlSequences(text, [link])).toEqual([]);
        expect(everyMrkdwnIsVerbatim(message)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the approval messages over hostile findings and people', () => {
  const link = signedLink().toString();

  it('nothing Slack would parse survives in the request, its text or its blocks (property)', () => {
    const page = literal(slackLink(link, 'Open the approval page'));
    fc.assert(
      fc.property(hostileFields, (fields) => {
        // Prepare
        const base = pendingRecord();
        const record = pendingRecord({
          incidentId: fields.note,
          playbook: fields.step,
          incident: {
            ...base.incident,
            title: fields.title,
            resources: [{ kind: fields.error, instanceId: fields.resource }, { userName: fields.user }],
          },
        });

        // Act
        const message = approvalMessage(record, link);

        // Assess
        for (const text of mrkdwnTexts(message)) {
          expect(strayControlSequences(text, [page, CORDON_DATE])).toEqual([]);
        }
        expect(everyMrkdwnIsVerbatim(message)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a decided message mentions only a real Slack member id; names, comments and errors stay text (property)', () => {
    fc.assert(
      fc.property(
        hostileFields,
        fc.oneof(hostileText(), fc.constant('U0APPROVER')),
        fc.constantFrom('slack' as const, 'web' as const),
        (fields, who, kind) => {
          // Prepare
          const record = pendingRecord({
            status: 'approved',
            incident: { ...pendingRecord().incident, title: fields.title },
            decision: {
              decision: 'approve',
              decidedBy: { kind, id: who, name: fields.user },
              decidedAt: '2026-11-28T10:05:00.000Z',
              comment: fields.note,
            },
            callback: { status: 'failed', at: '2026-11-28T10:05:01.000Z', error: fields.error },
          });
          const mention = kind === 'slack' && who === 'U0APPROVER' ? [/<@U0APPROVER>/] : [];

          // Act
          const message = decidedMessage(record);

          // Assess
          for (const text of mrkdwnTexts(message)) {
            expect(strayControlSequences(text, [CORDON_DATE, ...mention])).toEqual([]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the push text of a request escapes the title', () => {
    // Prepare
    const record = pendingRecord({
      incident: { ...pendingRecord().incident, title: '<!here> ＜!channel＞' },
    });

    // Act / Assess
    expect(approvalMessage(record, link).text).toBe(
      `Approval needed: HIGH instance-compromise — ${escapeMrkdwn('<!here> ＜!channel＞')}`,
    );
    expect(approvalMessage(record, link).text).toBe(
      'Approval needed: HIGH instance-compromise — &lt;!here&gt; &lt;!channel&gt;',
    );
  });
});

describe('the group message over hostile findings and people', () => {
  const link = 'https://approvals.example.com/groups/AbCdEfGhIjKlMnOpQrStUv_1?exp=1795863570&sig=ab12';

  it('nothing Slack would parse survives in the group message, its text or its blocks; only a real member id is a mention (property)', () => {
    const page = literal(slackLink(link, 'Decide one by one on the group page'));
    fc.assert(
      fc.property(hostileFields, fc.oneof(hostileText(), fc.constant('U0APPROVER')), (fields, who) => {
        // Prepare
        const base = pendingRecord();
        const member = pendingRecord({
          incident: {
            ...base.incident,
            title: fields.title,
            resources: [{ kind: fields.error, instanceId: fields.resource }, { userName: fields.user }],
          },
          group: { id: 'AbCdEfGhIjKlMnOpQrStUv_1', seq: 2 },
          observedAt: fields.note,
        });
        const group: ApprovalGroup = {
          groupId: 'AbCdEfGhIjKlMnOpQrStUv_1',
          keyHash: 'AbCdEfGhIjKlMnOpQrStUv',
          generation: 1,
          shape: {
            account: fields.user,
            region: fields.error,
            playbook: fields.step,
            findingType: fields.title,
            category: 'instance-compromise',
            step: 'contain-instance',
            actions: ['request-approval', fields.step],
            dryRun: false,
            timeoutSeconds: 3600,
            approvers: { slackUserIds: [], slackUserGroupIds: [], identities: [] },
          },
          openedAt: '2026-11-28T10:00:00.000Z',
          windowEndsAt: '2026-11-28T10:10:00.000Z',
          linkExpiresAt: '2026-11-28T11:09:30.000Z',
          memberCount: 3,
          newestAt: '2026-11-28T10:01:00.000Z',
          decidedThrough: 1,
          rounds: 1,
          roundList: [
            {
              n: 1,
              from: 0,
              through: 1,
              decision: {
                decision: 'reject',
                decidedBy: { kind: 'slack', id: who, name: fields.user },
                decidedAt: '2026-11-28T10:02:00.000Z',
                comment: fields.note,
              },
            },
          ],
        };
        const mention = who === 'U0APPROVER' ? [/<@U0APPROVER>/] : [];

        // Act
        const message = groupMessage({ group, sample: [member], link });

        // Assess
        for (const text of mrkdwnTexts(message)) {
          expect(strayControlSequences(text, [page, CORDON_DATE, ...mention])).toEqual([]);
        }
        expect(everyMrkdwnIsVerbatim(message)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
