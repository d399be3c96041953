import type { JsonObject } from './asl.ts';
import { TARGET_KIND_IDS, TARGET_KINDS, type TargetKind } from './target-kinds.ts';

/**
 * The input of every playbook execution: the contract between triage (which starts the execution, see
 * `buildExecutionInput` in src/triage/execution-input.ts) and the state machines. docs/playbooks/README.md
 * renders it from here.
 *
 * - `incident`: the incident, as notify and request-approval pass it on.
 * - `decision`: what triage decided (`steps` lists the step ids in order; `dryRun` goes to every step).
 * - `target`: what the steps act on, shaped by the playbook's target kind ({@link TARGET_EXAMPLES}) —
 *   `{ instanceId }` for an instance; `{ accessKeyId?, userName?, principalType, name }` for an access key
 *   (`accessKeyId` is required when `run.deactivateAccessKey` is true, `userName` when
 *   `run.disableConsoleAccess` is true); `{ userId, staleAfterDays, staleBy }` for an IAM user a Config rule
 *   judged (`staleBy`: `age` or `last-use`, as the rule's declaration says); for a resource a Config rule
 *   judged (a posture kind, target-kinds.ts), its id under the kind's field (`{ groupId }`), `resourceType`,
 *   `resourceId` and `rule` (`{ identifier, name, parameters, parametersKnown }`: the rule's source identifier
 *   and input parameters, read with DescribeConfigRules); `{}` for none.
 * - `controls`: the compliance controls the incident's rule checks (`SecurityHub/EC2.13`, …), passed to a
 *   posture fix so that its ledger entries record them; `[]` for any other incident.
 * - `run`: which credential-compromise steps run (triage sets them from `decision.steps`).
 * - `approval`: whether to ask first, how long to wait (seconds, at least 1), and what to do when nobody
 *   decides in time (ec2-release ignores the default: a release is never automatic).
 * - `observation`: triage's reads of the instance for ec2-compromise (`InstanceObservation` in
 *   src/actions/observe-instance.ts: the instance, its protection attributes, its Auto Scaling membership and the
 *   isolation groups, with the time they were read), or `null`. `contain-instance` uses it instead of reading
 *   again while it is at most 30 s old; always present, because a missing path ends the execution.
 *
 * The playbooks add to it as they go, and never remove anything: `results.<stepInCamelCase>` (each step's
 * return value), `results.approval` (the decision, or `{ Error, Cause }` of a rejection or a timeout),
 * `Payload.timeoutSeconds` (the approval deadline), and after a failure `failure` (`{ Error, Cause }` of the
 * failed step) and `failedStep` (its step id). A path that a step reads and the input lacks ends the
 * execution with `States.Runtime`, which no `Catch` can handle: triage must send every field the steps read.
 *
 * @example
 * const client = new SFNClient({});
 * await client.send(new StartExecutionCommand({ stateMachineArn, name: incident.id, input: JSON.stringify(input) }));
 */
export const EXECUTION_INPUT_EXAMPLE = {
  incident: {
    id: 'guardduty-123456789012-us-east-1-6ab6e6ee7fa2bd6ab9eef5b4ea7d9d8c',
    account: '123456789012',
    region: 'us-east-1',
    source: 'guardduty',
    type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    title: 'EC2 instance i-0abc1234def567890 is querying a domain name associated with Bitcoin activity.',
    category: 'instance-compromise',
    severity: { score: 8, label: 'high' },
    resources: [{ kind: 'ec2-instance', instanceId: 'i-0abc1234def567890', role: 'compromised', tags: {} }],
  },
  decision: {
    playbook: 'ec2-compromise',
    approval: 'required',
    steps: [
      'request-approval',
      'contain-instance',
      'deregister-from-load-balancers',
      'snapshot-volumes',
      'quarantine-instance-profile',
      'notify',
    ],
    reason: 'CryptoCurrency:EC2/BitcoinTool.B!DNS: instance i-0abc1234def567890 is compromised.',
    dryRun: false,
  },
  target: { instanceId: 'i-0abc1234def567890' },
  controls: [],
  run: { deactivateAccessKey: false, revokeSessions: false, disableConsoleAccess: false },
  approval: { required: true, timeoutSeconds: 3600, timeoutDefault: 'reject' },
  // Approval comes first here, so triage did not read the instance: by the decision, its reads would be stale.
  observation: null,
} as const;

/**
 * The shapes of `target`, by the kind of resource a playbook acts on (`PlaybookDefinition.target` in
 * catalog.ts, declared in target-kinds.ts): every playbook of a kind reads the same shape.
 */
export const TARGET_EXAMPLES: Readonly<Record<TargetKind, JsonObject>> = Object.fromEntries(
  TARGET_KIND_IDS.map((kind) => [kind, TARGET_KINDS[kind].example]),
) as Record<TargetKind, JsonObject>; // Object.fromEntries loses the key type; every kind is an entry
