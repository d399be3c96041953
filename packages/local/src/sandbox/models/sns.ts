import type { MessageAttributeValue, PublishCommandInput, PublishCommandOutput } from '@aws-sdk/client-sns';
import { serviceErrors } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';
import { replaceState, reviveDate } from './restore-state.ts';

/** SNS wire codes → SDK v3 exception name and HTTP status. */
const snsError = serviceErrors('SNS', {
  NotFound: { name: 'NotFoundException', status: 404 },
  InvalidParameter: { name: 'InvalidParameterException' },
  ParameterValueInvalid: { name: 'InvalidParameterValueException' },
});

/** SNS quotas the model enforces. */
const MAX_SUBJECT_LENGTH = 100;
/** 256 KiB, counted over the message and its attributes, as SNS counts it. */
const MAX_PAYLOAD_BYTES = 262_144;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/;

/** One message `Publish` accepted. */
export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly messageStructure?: string;
  readonly messageAttributes: Record<string, MessageAttributeValue>;
  readonly messageGroupId?: string;
  readonly publishedAt: Date;
}

interface TopicState {
  name: string;
  arn: string;
  fifo: boolean;
}

export interface SnsState {
  topics: Record<string, TopicState>;
  published: PublishedMessage[];
}

/**
 * The SNS model: topics, and `Publish` with SNS's parameter checks. Accepted messages are kept in order so
 * tests and the CLI can read what was sent (`messages(topicArn)`); nothing is delivered.
 *
 * @example
 * const sns = new SnsModel(sandbox.context);
 * const topicArn = sns.addTopic('cordon-alerts');
 * sandbox.register(sns);
 */
export class SnsModel implements ServiceModel {
  public readonly service = 'SNS';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly state: SnsState = { topics: {}, published: [] };

  public constructor(private readonly context: SandboxContext) {
    this.commands = {
      Publish: typed((input: PublishCommandInput) => this.publish(input)),
    };
  }

  /** Adds a topic (a `.fifo` name makes a FIFO topic); returns its ARN. */
  public addTopic(name: string): string {
    const base = name.endsWith('.fifo') ? name.slice(0, -'.fifo'.length) : name;
    if (!TOPIC_NAME.test(base)) throw new Error(`Seed error: ${name} is not a valid SNS topic name`);
    const arn = `arn:aws:sns:${this.context.region}:${this.context.accountId}:${name}`;
    this.state.topics[arn] ??= { name, arn, fifo: name.endsWith('.fifo') };
    return arn;
  }

  /** The messages published to `topicArn`, oldest first (a copy). */
  public messages(topicArn: string): PublishedMessage[] {
    return structuredClone(this.state.published.filter((message) => message.topicArn === topicArn));
  }

  public snapshot(): SnsState {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: SnsState): void {
    replaceState(this.state, state);
    this.state.published = this.state.published.map((message) => ({
      ...message,
      publishedAt: reviveDate(message.publishedAt),
    }));
  }

  private publish(input: PublishCommandInput): Out<PublishCommandOutput> {
    if (input.TopicArn === undefined && input.TargetArn === undefined) {
      throw snsError(
        'InvalidParameter',
        'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter',
      );
    }
    const topicArn = String(input.TopicArn ?? input.TargetArn);
    const topic = this.state.topics[topicArn];
    if (topic === undefined) throw snsError('NotFound', 'Topic does not exist');
    const message = input.Message ?? '';
    if (message === '') throw snsError('InvalidParameter', 'Invalid parameter: Empty message');
    if (input.Subject !== undefined) assertValidSubject(input.Subject);
    if (input.MessageStructure !== undefined) assertValidStructure(input.MessageStructure, message);
    const attributes = input.MessageAttributes ?? {};
    let payloadBytes = Buffer.byteLength(message);
    for (const [name, value] of Object.entries(attributes)) payloadBytes += attributeBytes(name, value);
    if (payloadBytes > MAX_PAYLOAD_BYTES) {
      throw snsError('InvalidParameter', 'Invalid parameter: Message too long');
    }
    if (topic.fifo && input.MessageGroupId === undefined) {
      throw snsError(
        'InvalidParameter',
        'Invalid parameter: The MessageGroupId parameter is required for FIFO topics',
      );
    }
    const messageId = this.messageId();
    this.state.published.push({
      messageId,
      topicArn,
      ...(input.Subject === undefined ? {} : { subject: input.Subject }),
      message,
      ...(input.MessageStructure === undefined ? {} : { messageStructure: input.MessageStructure }),
      messageAttributes: structuredClone(attributes),
      ...(input.MessageGroupId === undefined ? {} : { messageGroupId: input.MessageGroupId }),
      publishedAt: this.context.now(),
    });
    return topic.fifo
      ? { MessageId: messageId, SequenceNumber: String(this.state.published.length).padStart(20, '0') }
      : { MessageId: messageId };
  }

  /** SNS message ids are UUIDs; the sandbox's are deterministic. */
  private messageId(): string {
    const hex = this.context.nextId('m', 32).slice(2);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

/** A subject is printable ASCII, no line breaks, 1–100 characters. */
function assertValidSubject(subject: string): void {
  if (subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH || !/^[\x20-\x7e]+$/.test(subject)) {
    throw snsError('InvalidParameter', 'Invalid parameter: Subject');
  }
}

function assertValidStructure(structure: string, message: string): void {
  if (structure !== 'json') {
    throw snsError('InvalidParameter', 'Invalid parameter: MessageStructure');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw snsError(
      'InvalidParameter',
      'Invalid parameter: Message Structure - JSON message body failed to parse',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || !('default' in parsed)) {
    throw snsError(
      'InvalidParameter',
      'Invalid parameter: Message Structure - No default entry in JSON message body',
    );
  }
}

/** Validates one message attribute and returns the bytes it adds to the payload (name, type and value). */
function attributeBytes(name: string, attribute: MessageAttributeValue): number {
  if (!ATTRIBUTE_NAME.test(name) || /^(AWS|Amazon)\./i.test(name)) {
    throw snsError('ParameterValueInvalid', `The message attribute name '${name}' is invalid.`);
  }
  const dataType = String(attribute.DataType);
  const [prefix] = dataType.split('.');
  if (prefix !== 'String' && prefix !== 'Number' && prefix !== 'Binary') {
    throw snsError(
      'ParameterValueInvalid',
      `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
    );
  }
  const empty = () =>
    snsError(
      'ParameterValueInvalid',
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
    );
  if (prefix === 'Binary') {
    if (attribute.BinaryValue === undefined || attribute.BinaryValue.length === 0) throw empty();
    return Buffer.byteLength(name) + Buffer.byteLength(dataType) + attribute.BinaryValue.length;
  }
  const value = attribute.StringValue;
  if (value === undefined || value === '') throw empty();
  if (prefix === 'Number' && !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) {
    throw snsError('ParameterValueInvalid', `Could not cast message attribute '${name}' value to number.`);
  }
  if (dataType === 'String.Array' && !isJsonArray(value)) {
    throw snsError(
      'ParameterValueInvalid',
      `The message attribute '${name}' with type 'String.Array' must be a valid JSON array.`,
    );
  }
  return Buffer.byteLength(name) + Buffer.byteLength(dataType) + Buffer.byteLength(value);
}

function isJsonArray(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}
