import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_IDENTITY_HEADER } from '../../packages/local/src/deployment-grouped-approvals.ts';
import { groupButton, interfaceGroups, isolated, ONCALL_SLACK, ONCALL_WEB, storm } from '../support/storm.ts';

const SIZE = 12;
const AUTOMATIC = 5;
const ASKING = SIZE - AUTOMATIC;

describe('ec2-compromise: a storm decided one by one on the group page, the rest as a group in Slack', () => {
  it('each member as decided: approved ones contained, rejected ones untouched, and the group decision leaves the ones decided one by one alone', async () => {
    // Prepare
    const { sandbox, deployment, approvals, instanceIds, deliverAll, asked } = await storm(SIZE);
    const before = Object.fromEntries(instanceIds.map((id) => [id, interfaceGroups(sandbox, id)]));
    const delivered = deliverAll();
    await asked(ASKING);
    const link = String(approvals.asked[0]?.link);

    // Act
    const page = await approvals.fetch(new Request(link));
    const html = await page.text();
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const press = async (act: string, comment?: string) => {
      const url = new URL(link);
      const body = new URLSearchParams({
        sig: url.searchParams.get('sig') ?? '',
        exp: url.searchParams.get('exp') ?? '',
        csrf,
        from: '0',
        through: String(ASKING),
        act,
        ...(comment === undefined ? {} : { comment }),
      });
      const answer = await approvals.fetch(
        new Request(`${url.origin}${url.pathname}/decision`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie,
            [LOCAL_IDENTITY_HEADER]: ONCALL_WEB,
          },
          body: body.toString(),
        }),
      );
      return answer.status;
    };
    const oneByOne = [
      await press('approve:1'),
      await press('reject:2', 'the canary box'),
      await press('approve:3'),
    ];
    const twice = await press('reject:1');
    const { ts, value } = groupButton(approvals, 'cordon_group_reject');
    const rest = await approvals.fetch(
      approvals.slackClick({ userId: ONCALL_SLACK, actionId: 'cordon_group_reject', value, ts }),
    );
    const { executions } = await delivered;

    // Assess
    expect(page.status).toBe(200);
    expect(oneByOne).toEqual([200, 200, 200]);
    expect(twice).toBe(409);
    expect(rest.status).toBe(200);
    const members = sandbox.dynamodb
      .items(deployment.names.approvalsTable)
      .map((item) => unmarshall(item))
      .filter((item) => typeof item.group === 'object');
    const instanceOf = (seq: number) =>
      String(members.find((member) => member.group.seq === seq)?.incident.resources[0].instanceId);
    expect(isolated(sandbox, instanceOf(1))).toBe(true);
    expect(isolated(sandbox, instanceOf(3))).toBe(true);
    expect(interfaceGroups(sandbox, instanceOf(2))).toEqual(before[instanceOf(2)]);
    for (let seq = 4; seq <= ASKING; seq += 1) {
      expect(interfaceGroups(sandbox, instanceOf(seq))).toEqual(before[instanceOf(seq)]);
    }
    const decisions = Object.fromEntries(
      members.map((member) => [member.group.seq, [member.status, member.decision.round ?? 'one by one']]),
    );
    expect(decisions).toEqual({
      1: ['approved', 'one by one'],
      2: ['rejected', 'one by one'],
      3: ['approved', 'one by one'],
      ...Object.fromEntries(Array.from({ length: ASKING - 3 }, (_, index) => [index + 4, ['rejected', 1]])),
    });
    expect(executions.filter((execution) => execution.status !== 'SUCCEEDED')).toEqual([]);
    expect(instanceIds.filter((id) => isolated(sandbox, id))).toHaveLength(AUTOMATIC + 2);
    const callbacks = sandbox.account.calls.filter((call) => call.command.startsWith('SendTask'));
    expect(callbacks).toHaveLength(ASKING);
    expect(sandbox.account.calls.filter((call) => call.iam === 'denied')).toEqual([]);
  }, 240_000);
});
