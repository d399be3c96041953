/**
 * How long each hop takes in the model. AWS publishes few latencies: where it does (or an AWS team has
 * published a measurement) the figure is cited; everything else is an assumption, marked as one, and the
 * time-to-containment section reruns with every assumed latency doubled to show how much the verdict
 * depends on them. Each is a log-normal distribution given by its median and 99th percentile.
 */
import type { Latency } from './random.ts';

export interface LatencySpec extends Latency {
  readonly what: string;
  readonly source: string;
  readonly assumed: boolean;
}

const ASSUMED = 'assumption (no published figure)';

export const LATENCIES = {
  eventBridgeToTarget: {
    what: 'EventBridge: event on the bus → target invoked (one hop; a forwarded event from another Region takes two)',
    medianMs: 40,
    p99Ms: 140,
    source:
      'AWS Architecture Blog, "Mastering millisecond latency and millions of events: the event-driven architecture behind the Amazon Key Suite" (2026-02-04): 80 ms p90 end to end on EventBridge; median assumed at half of it (the p99 follows from the log-normal)',
    assumed: false,
  },
  lambdaInvoke: {
    what: 'Lambda: invoke of a warm execution environment (service overhead, both ways)',
    medianMs: 15,
    p99Ms: 60,
    source: ASSUMED,
    assumed: true,
  },
  lambdaEnvironment: {
    what: 'Lambda: a new execution environment before the bundle is loaded (cold start, outside Init)',
    medianMs: 150,
    p99Ms: 400,
    source:
      'assumption inside AWS\'s published range: "Cold starts typically occur in under 1% of invocations. The duration of a cold start varies from under 100 ms to over 1 second." (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#cold-start-latency)',
    assumed: true,
  },
  stateTransition: {
    what: 'Step Functions (Standard): one state transition, Task dispatch included',
    medianMs: 20,
    p99Ms: 80,
    source: ASSUMED,
    assumed: true,
  },
  startExecution: {
    what: 'Step Functions: StartExecution round trip, and the first state entered',
    medianMs: 30,
    p99Ms: 120,
    source: ASSUMED,
    assumed: true,
  },
  dynamodb: {
    what: 'DynamoDB: one request, in Region',
    medianMs: 5,
    p99Ms: 25,
    source:
      'DynamoDB "delivers single-digit millisecond performance at any scale" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Introduction.html); the p99 is assumed',
    assumed: false,
  },
  ec2: {
    what: 'EC2 API: one request, in Region',
    medianMs: 60,
    p99Ms: 300,
    source: ASSUMED,
    assumed: true,
  },
  autoScaling: {
    what: 'Auto Scaling API: one request',
    medianMs: 60,
    p99Ms: 300,
    source: ASSUMED,
    assumed: true,
  },
  elb: {
    what: 'Elastic Load Balancing API: one request',
    medianMs: 50,
    p99Ms: 250,
    source: ASSUMED,
    assumed: true,
  },
  iam: {
    what: 'IAM API: one request (a global service, answered from US East)',
    medianMs: 80,
    p99Ms: 400,
    source: ASSUMED,
    assumed: true,
  },
  sts: {
    what: 'STS AssumeRole (Regional endpoint)',
    medianMs: 30,
    p99Ms: 150,
    source: ASSUMED,
    assumed: true,
  },
  ssm: {
    what: 'SSM Parameter Store: one request',
    medianMs: 25,
    p99Ms: 120,
    source: ASSUMED,
    assumed: true,
  },
  sfnApi: {
    what: 'Step Functions API (SendTaskSuccess …)',
    medianMs: 25,
    p99Ms: 100,
    source: ASSUMED,
    assumed: true,
  },
  sns: {
    what: 'SNS Publish',
    medianMs: 20,
    p99Ms: 100,
    source: ASSUMED,
    assumed: true,
  },
  slack: {
    what: 'Slack: chat.postMessage or an incoming webhook, over the internet',
    medianMs: 150,
    p99Ms: 600,
    source: ASSUMED,
    assumed: true,
  },
} as const satisfies Record<string, LatencySpec>;

export type LatencyId = keyof typeof LATENCIES;
export type Latencies = Readonly<Record<LatencyId, Latency>>;

/** The latencies above, each assumed one multiplied by `factor` (a sensitivity run). */
export function latencies(options: { readonly assumedFactor?: number } = {}): Latencies {
  const factor = options.assumedFactor ?? 1;
  return Object.fromEntries(
    Object.entries(LATENCIES).map(([id, spec]) => [
      id,
      spec.assumed
        ? { medianMs: spec.medianMs * factor, p99Ms: spec.p99Ms * factor }
        : { medianMs: spec.medianMs, p99Ms: spec.p99Ms },
    ]),
  ) as Record<LatencyId, Latency>;
}

/** The same fixed latency for every hop (the validation against the round-trip bench). */
export function fixedLatencies(ms: number, overrides: Partial<Record<LatencyId, number>> = {}): Latencies {
  return Object.fromEntries(
    Object.keys(LATENCIES).map((id) => {
      const value = overrides[id as LatencyId] ?? ms;
      return [id, { medianMs: value, p99Ms: value }];
    }),
  ) as Record<LatencyId, Latency>;
}
