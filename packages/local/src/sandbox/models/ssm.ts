import type {
  AddTagsToResourceCommandInput,
  AddTagsToResourceCommandOutput,
  DeleteParametersCommandInput,
  DeleteParametersCommandOutput,
  GetParameterCommandInput,
  GetParameterCommandOutput,
  GetParametersByPathCommandInput,
  GetParametersByPathCommandOutput,
  Parameter,
  ParameterType,
  PutParameterCommandInput,
  PutParameterCommandOutput,
} from '@aws-sdk/client-ssm';
import { serviceErrors } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';

// SSM speaks JSON: the SDK names its errors by the wire code (`ParameterNotFound`), all 400s.
const ssmError = serviceErrors('SSM');

/** SSM's page size for GetParametersByPath is at most 10. */
const MAX_PAGE_SIZE = 10;
const MAX_STANDARD_VALUE_LENGTH = 4096;
const PARAMETER_TYPES: readonly string[] = ['String', 'StringList', 'SecureString'];
const NAME_SEGMENT = /^[A-Za-z0-9_.-]+$/;
/**
 * Tags: at most 50 per resource, keys of 1 to 128 characters, values of at most 256, the characters AWS allows
 * across services, and no `aws:` prefix
 * (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions).
 */
const MAX_TAGS = 50;
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export interface ParameterSeed {
  readonly name: string;
  readonly value: string;
  readonly type?: ParameterType;
  /** KMS key of a SecureString; `alias/aws/ssm` when left out. */
  readonly keyId?: string;
  readonly description?: string;
}

interface ParameterState {
  name: string;
  type: ParameterType;
  value: string;
  version: number;
  lastModifiedDate: Date;
  keyId?: string;
  description?: string;
  /** Its tags (AddTagsToResource), kept when the value is overwritten. */
  tags?: Record<string, string>;
}

export interface SsmState {
  parameters: Record<string, ParameterState>;
}

/**
 * The SSM Parameter Store model: String, StringList and SecureString parameters with versions,
 * overwrite protection, decryption on request and path queries paged as SSM pages them.
 *
 * @example
 * const ssm = new SsmModel(sandbox.context);
 * ssm.putParameter({ name: '/cordon/settings', value: '{"dryRun":true}' });
 * sandbox.register(ssm);
 */
export class SsmModel implements ServiceModel {
  public readonly service = 'SSM';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly state: SsmState = { parameters: {} };

  public constructor(private readonly context: SandboxContext) {
    this.commands = {
      GetParameter: typed((input: GetParameterCommandInput) => this.getParameter(input)),
      GetParametersByPath: typed((input: GetParametersByPathCommandInput) => this.getParametersByPath(input)),
      // What a security team (or the local deployment standing in for one) sends to change settings.
      PutParameter: typed((input: PutParameterCommandInput) => this.putParameterCommand(input)),
      DeleteParameters: typed((input: DeleteParametersCommandInput) => this.deleteParameters(input)),
      // What `cordon settings push` sends to record who pushed a value.
      AddTagsToResource: typed((input: AddTagsToResourceCommandInput) => this.addTagsToResource(input)),
    };
  }

  /**
   * Seeds (or overwrites, bumping the version) a parameter, refusing what PutParameter would refuse: a bad or
   * reserved name, an empty or over-long value, an unknown type.
   */
  public putParameter(seed: ParameterSeed): this {
    assertValidName(seed.name);
    const type = seed.type ?? 'String';
    assertValidValue(seed.value, type);
    const existing = this.state.parameters[seed.name];
    const version = (existing?.version ?? 0) + 1;
    this.state.parameters[seed.name] = {
      // Tags belong to the parameter, not to one of its values: an overwrite keeps them.
      ...(existing?.tags === undefined ? {} : { tags: existing.tags }),
      name: seed.name,
      type,
      value: seed.value,
      version,
      lastModifiedDate: this.context.now(),
      ...(type === 'SecureString' ? { keyId: seed.keyId ?? 'alias/aws/ssm' } : {}),
      ...(seed.description === undefined ? {} : { description: seed.description }),
    };
    return this;
  }

  public snapshot(): SsmState {
    return structuredClone(this.state);
  }

  /**
   * Puts back a snapshot taken earlier (a saved local deployment, `deployment-state.ts`): every parameter as it
   * was — value, version, tags, date (a JSON date string becomes a Date again) — and no other.
   */
  public restore(state: SsmState): void {
    const parameters: Record<string, ParameterState> = {};
    for (const [name, parameter] of Object.entries(structuredClone(state.parameters))) {
      parameters[name] = { ...parameter, lastModifiedDate: new Date(parameter.lastModifiedDate) };
    }
    this.state.parameters = parameters;
  }

  /** PutParameter: a new parameter needs a type; an existing one is replaced only with `Overwrite`. */
  private putParameterCommand(input: PutParameterCommandInput): Out<PutParameterCommandOutput> {
    const name = String(input.Name);
    const existing = this.state.parameters[name];
    if (existing !== undefined && input.Overwrite !== true) {
      throw ssmError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    if (input.Tags !== undefined) {
      throw ssmError(
        'ValidationException',
        'The sandbox does not model Tags on PutParameter (tag an existing parameter with AddTagsToResource).',
      );
    }
    if (input.Tier !== undefined && input.Tier !== 'Standard') {
      throw ssmError('ValidationException', `The sandbox does not model the ${input.Tier} parameter tier.`);
    }
    const type = input.Type ?? existing?.type;
    if (type === undefined) {
      throw ssmError('ValidationException', 'A parameter type is required when you create a parameter.');
    }
    this.putParameter({
      name,
      value: input.Value ?? '',
      type,
      ...(input.KeyId === undefined ? {} : { keyId: input.KeyId }),
      ...(input.Description === undefined ? {} : { description: input.Description }),
    });
    return { Version: this.state.parameters[name]?.version ?? 1, Tier: 'Standard' };
  }

  /** DeleteParameters: at most 10 names; unknown names are reported, not an error. */
  private deleteParameters(input: DeleteParametersCommandInput): Out<DeleteParametersCommandOutput> {
    const names = input.Names ?? [];
    if (names.length < 1 || names.length > MAX_PAGE_SIZE) {
      throw ssmError(
        'ValidationException',
        `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PAGE_SIZE}`,
      );
    }
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of names) {
      if (this.state.parameters[name] === undefined) invalid.push(name);
      else {
        delete this.state.parameters[name];
        deleted.push(name);
      }
    }
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  /**
   * AddTagsToResource on a parameter (by name): adds the tags, overwriting the value of a key it already has,
   * as tagging does (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AddTagsToResource.html).
   */
  private addTagsToResource(input: AddTagsToResourceCommandInput): Out<AddTagsToResourceCommandOutput> {
    if (input.ResourceType !== 'Parameter') {
      throw ssmError(
        'ValidationException',
        `The sandbox models tags on parameters only, not ${input.ResourceType}.`,
      );
    }
    const parameter = this.state.parameters[String(input.ResourceId)];
    if (parameter === undefined) {
      throw ssmError(
        'InvalidResourceId',
        "The resource ID isn't valid. Verify that you entered the correct ID and try again.",
      );
    }
    const tags = input.Tags ?? [];
    for (const tag of tags) {
      const key = tag.Key ?? '';
      const value = tag.Value ?? '';
      if (
        key.length < 1 ||
        key.length > MAX_TAG_KEY_LENGTH ||
        value.length > MAX_TAG_VALUE_LENGTH ||
        !TAG_TEXT.test(key) ||
        !TAG_TEXT.test(value) ||
        /^aws:/i.test(key)
      ) {
        throw ssmError(
          'ValidationException',
          `1 validation error detected: Value '${key}' at 'tags' failed to satisfy constraint: a tag key has 1 to ${MAX_TAG_KEY_LENGTH} characters and a value at most ${MAX_TAG_VALUE_LENGTH}, of letters, digits, spaces and _.:/=+-@, and a key does not begin with aws:`,
        );
      }
    }
    const next = { ...parameter.tags };
    for (const tag of tags) next[tag.Key ?? ''] = tag.Value ?? '';
    if (Object.keys(next).length > MAX_TAGS) {
      throw ssmError(
        'TooManyTagsError',
        'The Targets parameter includes too many tags. Remove one or more tags and try the command again.',
      );
    }
    parameter.tags = next;
    return {};
  }

  private getParameter(input: GetParameterCommandInput): Out<GetParameterCommandOutput> {
    const name = String(input.Name);
    assertNoSelector(name);
    const parameter = this.state.parameters[name];
    if (parameter === undefined) throw ssmError('ParameterNotFound', `Parameter ${name} not found.`);
    return { Parameter: this.toParameter(parameter, input.WithDecryption === true) };
  }

  private getParametersByPath(input: GetParametersByPathCommandInput): Out<GetParametersByPathCommandOutput> {
    const path = String(input.Path);
    if (!path.startsWith('/')) {
      throw ssmError('ValidationException', 'The parameter path must begin with a forward slash "/".');
    }
    if (input.ParameterFilters !== undefined && input.ParameterFilters.length > 0) {
      throw ssmError(
        'ValidationException',
        'The sandbox does not model ParameterFilters on GetParametersByPath.',
      );
    }
    const pageSize = input.MaxResults ?? MAX_PAGE_SIZE;
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw ssmError(
        'ValidationException',
        `1 validation error detected: Value '${pageSize}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE_SIZE}`,
      );
    }
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const matching = Object.values(this.state.parameters)
      .filter((parameter) => {
        if (!parameter.name.startsWith(prefix)) return false;
        // Without Recursive only the level just below the path is returned.
        return input.Recursive === true || !parameter.name.slice(prefix.length).includes('/');
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const start = input.NextToken === undefined ? 0 : decodeToken(input.NextToken, path);
    const page = matching.slice(start, start + pageSize);
    const next = start + page.length;
    return {
      Parameters: page.map((parameter) => this.toParameter(parameter, input.WithDecryption === true)),
      ...(next < matching.length ? { NextToken: encodeToken(next, path) } : {}),
    };
  }

  private toParameter(parameter: ParameterState, withDecryption: boolean): Parameter {
    const hidden = parameter.type === 'SecureString' && !withDecryption;
    const arnName = parameter.name.startsWith('/') ? parameter.name : `/${parameter.name}`;
    return {
      Name: parameter.name,
      Type: parameter.type,
      Value: hidden ? ciphertext(parameter) : parameter.value,
      Version: parameter.version,
      LastModifiedDate: parameter.lastModifiedDate,
      ARN: `arn:aws:ssm:${this.context.region}:${this.context.accountId}:parameter${arnName}`,
      DataType: 'text',
    };
  }
}

/**
 * Without decryption SSM returns the SecureString's ciphertext. The sandbox returns an opaque stand-in
 * that never contains the plaintext, so a caller that forgets `WithDecryption` sees garbage, as in AWS.
 */
function ciphertext(parameter: ParameterState): string {
  return Buffer.from(
    `sandbox-kms:${parameter.keyId ?? 'alias/aws/ssm'}:${parameter.name}:v${parameter.version}`,
  ).toString('base64');
}

/** Parameter names: letters, digits, `_.-`, `/`-separated levels under a leading `/`; no `aws`/`ssm` prefix. */
function assertValidName(name: string): void {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (/^(aws|ssm)/i.test(bare)) {
    throw ssmError('AccessDeniedException', `No access to reserved parameter name: ${name}.`);
  }
  const segments = bare.split('/');
  const hierarchical = segments.length > 1;
  if (
    (hierarchical && !name.startsWith('/')) ||
    segments.some((segment) => !NAME_SEGMENT.test(segment)) ||
    segments.length > 15
  ) {
    throw ssmError(
      'ValidationException',
      `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`,
    );
  }
}

/** A Standard-tier value of a known type: 1 to 4,096 characters. */
function assertValidValue(value: string, type: string): void {
  if (value === '') {
    throw ssmError(
      'ValidationException',
      "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  if (value.length > MAX_STANDARD_VALUE_LENGTH) {
    throw ssmError(
      'ValidationException',
      'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.',
    );
  }
  if (!PARAMETER_TYPES.includes(type)) {
    throw ssmError(
      'ValidationException',
      `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
    );
  }
}

/** `name:3` and `name:label` select a version; ARNs name a parameter too. The sandbox models neither. */
function assertNoSelector(name: string): void {
  if (name.includes(':')) {
    throw ssmError(
      'ValidationException',
      `The sandbox does not model parameter ARNs or version/label selectors: ${name}`,
    );
  }
}

/** NextToken is opaque to callers; the sandbox's carries the offset and the path it belongs to. */
function encodeToken(offset: number, path: string): string {
  return Buffer.from(JSON.stringify({ offset, path })).toString('base64');
}

function decodeToken(token: string, path: string): number {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (
      typeof decoded === 'object' &&
      decoded !== null &&
      'offset' in decoded &&
      'path' in decoded &&
      typeof decoded.offset === 'number' &&
      decoded.path === path
    ) {
      return decoded.offset;
    }
  } catch {
    // Fall through: a token that does not decode is as invalid as one for another path.
  }
  throw ssmError('InvalidNextToken', 'The specified token is not valid.');
}
