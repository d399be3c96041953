import type { Incident } from './incident.ts';

/** What the intake recognised an input to be, accepted or not. */
export type RecognisedShape =
  | 'guardduty-eventbridge'
  | 'guardduty-finding'
  | 'guardduty-getfindings-page'
  | 'guardduty-finding-without-envelope'
  | 'cloudwatch-alarm-state-change'
  | 'cloudwatch-alarm-configuration-change'
  | 'cloudwatch-alarm-lambda-action'
  | 'cloudwatch-malformed-envelope'
  | 'cloudwatch-alarm-sns-message'
  | 'config-compliance-change'
  | 'config-custom-rule-invocation'
  | 'config-sns-message'
  | 'sns-notification'
  | 'securityhub-event'
  | 'securityhub-finding'
  | 'securityhub-getfindings-response'
  | 'eventbridge-other'
  | 'invalid-json'
  | 'not-an-object'
  | 'unknown';

export type IntakeResult =
  | { readonly accepted: true; readonly recognised: RecognisedShape; readonly incident: Incident }
  | { readonly accepted: false; readonly recognised: RecognisedShape; readonly reason: string };

export function accepted(incident: Incident, recognised: RecognisedShape): IntakeResult {
  return { accepted: true, recognised, incident };
}

export function rejected(recognised: RecognisedShape, reason: string): IntakeResult {
  return { accepted: false, recognised, reason };
}
