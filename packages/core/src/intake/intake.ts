import { normalizeAlarmStateChange } from './cloudwatch.ts';
import { normalizeComplianceChange } from './config.ts';
import { normalizeGuardDutyFinding } from './guardduty.ts';
import { type IntakeResult, rejected } from './result.ts';

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Own keys only: a `constructor` or `__proto__` key (or its absence) never changes what an input is. */
function has(input: JsonObject, key: string): boolean {
  return Object.hasOwn(input, key);
}

/** A GuardDuty finding by its own fields (GetFindings shape, camelCase or the SDK's PascalCase). */
function looksLikeFinding(value: unknown): value is JsonObject {
  return (
    isObject(value) &&
    (has(value, 'id') || has(value, 'Id')) &&
    (has(value, 'type') || has(value, 'Type')) &&
    (has(value, 'severity') ||
      has(value, 'Severity') ||
      has(value, 'schemaVersion') ||
      has(value, 'SchemaVersion'))
  );
}

/**
 * Turns the text of an event (what a file or an HTTP body holds) into an incident, or a rejection with a
 * reason. Never throws.
 *
 * @example intakeText('{"not":"an event"}') // { accepted: false, recognised: 'unknown', reason: '…' }
 */
export function intakeText(body: string): IntakeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return rejected('invalid-json', `The input is not valid JSON (${detail}).`);
  }
  return intake(parsed);
}

/**
 * Turns any event EventBridge (or the GuardDuty poller) can deliver into an incident:
 * GuardDuty findings (EventBridge events and raw GetFindings findings, camelCase or PascalCase on purpose),
 * CloudWatch "Alarm State Change" events and Config "Rules Compliance Change" events.
 * Everything else is rejected with a reason that names what was recognised. Never throws.
 *
 * @example intake(event).accepted ? decide(result.incident, settings) : log(result.reason)
 */
export function intake(input: unknown): IntakeResult {
  try {
    return recognise(input);
  } catch (error) {
    // The normalizers validate before they read, so this is a bug; it still must not escape the intake.
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return rejected('unknown', `The intake failed on this input (${detail}).`);
  }
}

function recognise(input: unknown): IntakeResult {
  if (Array.isArray(input)) {
    return rejected(
      'not-an-object',
      `The input is a JSON array of ${input.length} items; Cordon takes one event (a JSON object) at a time.`,
    );
  }
  if (!isObject(input)) {
    return rejected(
      'not-an-object',
      `The input is ${input === null ? 'null' : `a ${typeof input}`}, not a JSON object.`,
    );
  }
  if (has(input, 'detail-type')) return recogniseEventBridge(input);
  return recogniseOther(input);
}

function recogniseEventBridge(event: JsonObject): IntakeResult {
  const source = text(event.source) ?? '(no source)';
  const detailType = text(event['detail-type']) ?? '(no detail-type)';
  const detail = event.detail;

  if (source === 'aws.guardduty' && detailType === 'GuardDuty Finding') {
    if (!isObject(detail)) {
      return rejected('guardduty-eventbridge', 'A "GuardDuty Finding" event without a finding in `detail`.');
    }
    return normalizeGuardDutyFinding(detail, {
      shape: 'eventbridge',
      account: text(event.account),
      region: text(event.region),
      time: text(event.time),
    });
  }
  if (source === 'aws.cloudwatch' && detailType === 'CloudWatch Alarm State Change') {
    if (!isObject(detail) && isObject(event.alarmData)) {
      return rejected(
        'cloudwatch-malformed-envelope',
        'An EventBridge "CloudWatch Alarm State Change" envelope whose payload is under `alarmData` (the Lambda alarm-action shape) instead of `detail`: malformed, not an event EventBridge delivers.',
      );
    }
    return normalizeAlarmStateChange(event);
  }
  if (source === 'aws.cloudwatch' && detailType === 'CloudWatch Alarm Configuration Change') {
    const operation = isObject(detail) ? text(detail.operation) : undefined;
    return rejected(
      'cloudwatch-alarm-configuration-change',
      `A CloudWatch "Alarm Configuration Change" event (operation ${operation ?? 'unknown'}): a change to an alarm's configuration, not an incident.`,
    );
  }
  if (source === 'aws.config' && detailType === 'Config Rules Compliance Change') {
    return normalizeComplianceChange(event);
  }
  if (source === 'aws.securityhub') {
    return rejected(
      'securityhub-event',
      `A Security Hub event ("${detailType}"): Cordon takes GuardDuty findings from GuardDuty itself, not ASFF copies from Security Hub.`,
    );
  }
  return rejected(
    'eventbridge-other',
    `An EventBridge event from ${source} ("${detailType}") that Cordon does not handle.`,
  );
}

function recogniseOther(input: JsonObject): IntakeResult {
  if (input.Type === 'Notification' && has(input, 'TopicArn')) {
    return rejected(
      'sns-notification',
      `An SNS notification from ${text(input.TopicArn) ?? 'a topic'}: route the source to EventBridge instead of SNS.`,
    );
  }
  if (Array.isArray(input.Records)) {
    const isSns = input.Records.some(
      (record) => isObject(record) && (record.EventSource === 'aws:sns' || has(record, 'Sns')),
    );
    if (isSns) {
      return rejected(
        'sns-notification',
        'An SNS-to-Lambda event (Records[].Sns): route the source to EventBridge instead of SNS.',
      );
    }
    return rejected(
      'unknown',
      'A `Records` batch that is not from SNS; Cordon takes single EventBridge events.',
    );
  }
  if (has(input, 'alarmData') && text(input.source) === 'aws.cloudwatch') {
    return rejected(
      'cloudwatch-alarm-lambda-action',
      "A CloudWatch alarm's Lambda-action payload (alarmData): Cordon takes alarm state changes from EventBridge.",
    );
  }
  if (typeof input.invokingEvent === 'string' && has(input, 'configRuleName')) {
    return rejected(
      'config-custom-rule-invocation',
      `A Config custom-rule Lambda invocation for rule ${text(input.configRuleName)}: that evaluates compliance; Cordon takes "Config Rules Compliance Change" events from EventBridge.`,
    );
  }
  if (has(input, 'ProductArn') && has(input, 'AwsAccountId')) {
    return rejected(
      'securityhub-finding',
      "A Security Hub finding (ASFF): Cordon takes GuardDuty findings in GuardDuty's own format.",
    );
  }
  const bodies = messageBody(input);
  if (bodies !== undefined) return bodies;
  const page = findingsPage(input);
  if (page !== undefined) return page;
  if ((has(input, 'id') || has(input, 'Id')) && (has(input, 'type') || has(input, 'Type'))) {
    return normalizeGuardDutyFinding(input, { shape: 'raw' });
  }
  const keys = Object.keys(input).slice(0, 6).join(', ');
  return rejected('unknown', `Not an event Cordon recognises (top-level keys: ${keys || 'none'}).`);
}

/**
 * What a sender stripped of its envelope: a GuardDuty finding under `detail` with no EventBridge envelope, the
 * body of a CloudWatch alarm's SNS notification, the body of an AWS Config SNS notification. Each is named,
 * with what Cordon takes instead.
 */
function messageBody(input: JsonObject): IntakeResult | undefined {
  if (has(input, 'detail') && looksLikeFinding(input.detail)) {
    const finding = input.detail;
    const type = text(finding.type) ?? text(finding.Type) ?? 'unknown type';
    const missing = ['source', 'detail-type'].filter((key) => !has(input, key)).map((key) => `\`${key}\``);
    // https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-guardduty.html: source aws.guardduty,
    // detail-type "GuardDuty Finding", the finding in `detail`.
    return rejected(
      'guardduty-finding-without-envelope',
      `A GuardDuty finding (${type}) under \`detail\` without its EventBridge envelope (no ${missing.join(' or ')}). Cordon takes the whole EventBridge event — \`{"source": "aws.guardduty", "detail-type": "GuardDuty Finding", "account", "region", "detail": {…}}\` — or the bare finding itself (the object under \`detail\`), as the GuardDuty poller hands it over.`,
    );
  }
  if (typeof input.AlarmName === 'string' && typeof input.NewStateValue === 'string') {
    // The JSON an alarm action publishes to its SNS topic (`AlarmName`, `NewStateValue`, `OldStateValue`, …).
    const from = text(input.OldStateValue);
    return rejected(
      'cloudwatch-alarm-sns-message',
      `The body of a CloudWatch alarm's SNS notification (alarm ${input.AlarmName.slice(0, 255)}, ${from === undefined ? '' : `${from} → `}${input.NewStateValue}). Cordon takes alarm state changes from EventBridge: every alarm emits a "CloudWatch Alarm State Change" event there (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html), with no SNS topic or alarm action to set up.`,
    );
  }
  if (
    text(input.messageType) === 'ComplianceChangeNotification' &&
    typeof input.configRuleName === 'string' &&
    isObject(input.newEvaluationResult)
  ) {
    return rejected(
      'config-sns-message',
      `The body of an AWS Config SNS notification (rule ${input.configRuleName.slice(0, 128)}, ${text(input.newEvaluationResult.complianceType) ?? 'no compliance type'}). Cordon takes compliance changes from EventBridge: "Config Rules Compliance Change" events, \`{"source": "aws.config", "detail-type": "Config Rules Compliance Change", "detail": {…}}\`.`,
    );
  }
  return undefined;
}

/** GetFindings responses (GuardDuty's or a Security Hub recording) are pages, not events. */
function findingsPage(input: JsonObject): IntakeResult | undefined {
  const container = isObject(input.data) ? input.data : input;
  const findings = container.Findings ?? container.findings;
  if (!Array.isArray(findings)) return undefined;
  if (findings.length === 0) {
    return rejected('guardduty-getfindings-page', 'An empty GetFindings page: there is no finding in it.');
  }
  if (findings.some((finding) => isObject(finding) && 'ProductArn' in finding)) {
    return rejected(
      'securityhub-getfindings-response',
      `A Security Hub GetFindings response with ${findings.length} ASFF findings: Cordon takes GuardDuty findings in GuardDuty's own format.`,
    );
  }
  return rejected(
    'guardduty-getfindings-page',
    `A GetFindings page with ${findings.length} findings: hand them to triage one by one (the GuardDuty poller does).`,
  );
}
