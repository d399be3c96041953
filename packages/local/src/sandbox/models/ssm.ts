import type {
  DeleteParameterCommandInput,
  DeleteParametersCommandInput,
  DeleteParametersCommandOutput,
  GetParameterCommandInput,
  GetParameterCommandOutput,
  GetParametersByPathCommandInput,
  GetParametersByPathCommandOutput,
  GetParametersCommandInput,
  GetParametersCommandOutput,
  Parameter,
  ParameterType,
  PutParameterCommandInput,
  PutParameterCommandOutput,
} from '@aws-sdk/client-ssm';
import { awsError, type SandboxServiceError } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';

// SSM speaks JSON: the SDK names its errors by the wire code (`ParameterNotFound`), all 400s.
function ssmError(code: string, message: string): SandboxServiceError {
  return awsError('SSM', code, message);
}

function typed<I>(handler: (input: I) => unknown): CommandHandler {
  // The sandbox passes the SDK client's own input object, so its shape is the command's input type.
  return (input) => handler(input as unknown as I);
}

/** SSM's page size for GetParametersByPath is at most 10. */
const MAX_PAGE_SIZE = 10;
const MAX_NAMES_PER_GET = 10;
const MAX_STANDARD_VALUE_LENGTH = 4096;
const PARAMETER_TYPES: readonly string[] = ['String', 'StringList', 'SecureString'];
const NAME_SEGMENT = /^[A-Za-z0-9_.-]+$/;

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
      PutParameter: typed((input: PutParameterCommandInput) => this.putParameterCommand(input)),
      GetParameter: typed((input: GetParameterCommandInput) => this.getParameter(input)),
      GetParameters: typed((input: GetParametersCommandInput) => this.getParameters(input)),
      GetParametersByPath: typed((input: GetParametersByPathCommandInput) => this.getParametersByPath(input)),
      DeleteParameter: typed((input: DeleteParameterCommandInput) => this.deleteParameter(input)),
      DeleteParameters: typed((input: DeleteParametersCommandInput) => this.deleteParameters(input)),
    };
  }

  /** Seeds (or overwrites, bumping the version) a parameter. */
  public putParameter(seed: ParameterSeed): this {
    assertValidName(seed.name);
    this.write({
      name: seed.name,
      value: seed.value,
      type: seed.type ?? 'String',
      keyId: seed.keyId,
      description: seed.description,
    });
    return this;
  }

  public snapshot(): SsmState {
    return structuredClone(this.state);
  }

  private putParameterCommand(input: PutParameterCommandInput): Omit<PutParameterCommandOutput, '$metadata'> {
    const name = String(input.Name);
    assertValidName(name);
    const value = input.Value ?? '';
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
    if (input.Tier !== undefined && input.Tier !== 'Standard') {
      throw ssmError('ValidationException', `The sandbox does not model the ${input.Tier} parameter tier.`);
    }
    const existing = this.state.parameters[name];
    if (existing !== undefined && input.Overwrite !== true) {
      throw ssmError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const type = input.Type ?? existing?.type;
    if (type === undefined || !PARAMETER_TYPES.includes(type)) {
      throw ssmError(
        'ValidationException',
        type === undefined
          ? 'A parameter type is required when you create a parameter.'
          : `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
      );
    }
    const version = this.write({
      name,
      value,
      type,
      keyId: input.KeyId ?? existing?.keyId,
      description: input.Description ?? existing?.description,
    });
    return { Version: version, Tier: 'Standard' };
  }

  private getParameter(input: GetParameterCommandInput): Omit<GetParameterCommandOutput, '$metadata'> {
    const name = String(input.Name);
    assertNoSelector(name);
    const parameter = this.state.parameters[name];
    if (parameter === undefined) throw ssmError('ParameterNotFound', `Parameter ${name} not found.`);
    return { Parameter: this.toParameter(parameter, input.WithDecryption === true) };
  }

  private getParameters(input: GetParametersCommandInput): Omit<GetParametersCommandOutput, '$metadata'> {
    const names = input.Names ?? [];
    if (names.length === 0 || names.length > MAX_NAMES_PER_GET) {
      throw ssmError(
        'ValidationException',
        `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to ${MAX_NAMES_PER_GET} and greater than or equal to 1`,
      );
    }
    const found: Parameter[] = [];
    const invalid: string[] = [];
    for (const name of new Set(names)) {
      assertNoSelector(name);
      const parameter = this.state.parameters[name];
      if (parameter === undefined) invalid.push(name);
      else found.push(this.toParameter(parameter, input.WithDecryption === true));
    }
    return { Parameters: found, InvalidParameters: invalid };
  }

  private getParametersByPath(
    input: GetParametersByPathCommandInput,
  ): Omit<GetParametersByPathCommandOutput, '$metadata'> {
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

  private deleteParameter(input: DeleteParameterCommandInput): Record<string, never> {
    const name = String(input.Name);
    if (this.state.parameters[name] === undefined) {
      throw ssmError('ParameterNotFound', `Parameter ${name} not found.`);
    }
    delete this.state.parameters[name];
    return {};
  }

  private deleteParameters(
    input: DeleteParametersCommandInput,
  ): Omit<DeleteParametersCommandOutput, '$metadata'> {
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of input.Names ?? []) {
      if (this.state.parameters[name] === undefined) {
        invalid.push(name);
      } else {
        delete this.state.parameters[name];
        deleted.push(name);
      }
    }
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  /** Stores a new version of the parameter; returns the version number. */
  private write(next: {
    name: string;
    value: string;
    type: ParameterType;
    keyId: string | undefined;
    description: string | undefined;
  }): number {
    const version = (this.state.parameters[next.name]?.version ?? 0) + 1;
    this.state.parameters[next.name] = {
      name: next.name,
      type: next.type,
      value: next.value,
      version,
      lastModifiedDate: this.context.now(),
      ...(next.type === 'SecureString' ? { keyId: next.keyId ?? 'alias/aws/ssm' } : {}),
      ...(next.description === undefined ? {} : { description: next.description }),
    };
    return version;
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
