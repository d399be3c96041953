import { describe, expect, it } from 'vitest';
import { type DashboardInput, incidentFlowDashboard, MAX_ALARMS_PER_WIDGET } from '../dashboard.ts';

const INPUT: DashboardInput = {
  region: 'eu-west-1',
  stage: 'prod',
  rules: [
    { name: 'cordon-prod-guardduty-findings' },
    { name: 'cordon-prod-guardduty-findings', busName: 'cordon-prod-intake' },
  ],
  triageFunction: 'cordon-prod-triage',
  functionNames: ['cordon-prod-triage', 'cordon-prod-notify'],
  stateMachines: [
    {
      id: 'ec2-compromise',
      arn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:cordon-prod-ec2-compromise',
    },
  ],
  queues: [{ label: 'on-failure queue', name: 'cordon-prod-on-failure' }],
  alarmArns: ['arn:aws:cloudwatch:eu-west-1:111122223333:alarm:cordon-prod-triage-errors'],
};

describe('incidentFlowDashboard', () => {
  it('puts every metric widget in the stage’s region, on a 24-column grid without overlaps', () => {
    const { widgets } = incidentFlowDashboard(INPUT);
    const cells = new Set<string>();

    for (const widget of widgets) {
      if (widget.type === 'metric') expect(widget.properties.region).toBe('eu-west-1');
      expect(widget.x + widget.width).toBeLessThanOrEqual(24);
      for (let x = widget.x; x < widget.x + widget.width; x += 1) {
        for (let y = widget.y; y < widget.y + widget.height; y += 1) {
          const cell = `${x},${y}`;
          expect(cells.has(cell), cell).toBe(false);
          cells.add(cell);
        }
      }
    }
  });

  it('names the bus of a rule on the intake bus (its metrics carry an EventBusName dimension)', () => {
    const matched = incidentFlowDashboard(INPUT).widgets.find(
      (widget) => widget.properties.title === 'Events matched by the rules',
    );

    expect(matched?.properties.metrics).toEqual([
      [
        'AWS/Events',
        'TriggeredRules',
        'RuleName',
        'cordon-prod-guardduty-findings',
        { label: 'cordon-prod-guardduty-findings' },
      ],
      [
        'AWS/Events',
        'TriggeredRules',
        'RuleName',
        'cordon-prod-guardduty-findings',
        'EventBusName',
        'cordon-prod-intake',
        { label: 'cordon-prod-guardduty-findings (forwarded)' },
      ],
    ]);
  });

  it(`splits more alarms than one alarm widget holds (${MAX_ALARMS_PER_WIDGET}) over several widgets, each alarm once`, () => {
    const alarmArns = Array.from(
      { length: 2 * MAX_ALARMS_PER_WIDGET + 1 },
      (_, index) => `arn:alarm:${index}`,
    );

    const widgets = incidentFlowDashboard({ ...INPUT, alarmArns }).widgets.filter(
      (widget) => widget.type === 'alarm',
    );

    expect(widgets.map((widget) => (widget.properties.alarms as string[]).length)).toEqual([
      MAX_ALARMS_PER_WIDGET,
      MAX_ALARMS_PER_WIDGET,
      1,
    ]);
    expect(widgets.flatMap((widget) => widget.properties.alarms as string[])).toEqual(alarmArns);
    expect(widgets.map((widget) => widget.properties.title)).toEqual([
      'Alarms (1 of 3)',
      'Alarms (2 of 3)',
      'Alarms (3 of 3)',
    ]);
    // One row each, none over another.
    expect(new Set(widgets.map((widget) => widget.y)).size).toBe(3);
  });

  it(`keeps ${MAX_ALARMS_PER_WIDGET} alarms in one widget`, () => {
    const alarmArns = Array.from({ length: MAX_ALARMS_PER_WIDGET }, (_, index) => `arn:alarm:${index}`);

    const widgets = incidentFlowDashboard({ ...INPUT, alarmArns }).widgets.filter(
      (widget) => widget.type === 'alarm',
    );

    expect(widgets).toHaveLength(1);
    expect(widgets[0]?.properties.title).toBe('Alarms');
  });
});
