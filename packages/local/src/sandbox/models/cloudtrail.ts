import type {
  DescribeTrailsCommandInput,
  DescribeTrailsCommandOutput,
  GetTrailCommandInput,
  GetTrailCommandOutput,
  GetTrailStatusCommandInput,
  GetTrailStatusCommandOutput,
  ListTagsCommandInput,
  ListTagsCommandOutput,
  StartLoggingCommandInput,
  StopLoggingCommandInput,
  Trail,
  UpdateTrailCommandInput,
  UpdateTrailCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { serviceErrors } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';
import { replaceState } from './restore-state.ts';

/**
 * CloudTrail speaks JSON: the SDK names each error by its `__type`, the exception's name. The service answers its
 * client errors with HTTP 400 (a missing trail arrives as "StatusCode: 400 … TrailNotFoundException: Unknown trail:
 * arn:… for the user: …", https://github.com/aws/aws-sdk-go-v2/issues/1957), whatever status its Smithy model
 * declares. Errors: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/CommonErrors.html and each
 * operation's page.
 */
const cloudTrailError = serviceErrors('CloudTrail');

/** "Trail names must … contain only ASCII letters, numbers, periods, underscores, or dashes; start with a letter or
 * number, and end with a letter or number; be between 3 and 128 characters; have no adjacent periods, underscores
 * or dashes; not be in IP address format" (InvalidTrailNameException). */
function isTrailName(name: string): boolean {
  return (
    /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/.test(name) &&
    !/[._-]{2}/.test(name) &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(name)
  );
}

const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;

export interface TrailSeed {
  readonly name: string;
  /** The Region the trail was created in; defaults to the sandbox's. A multi-Region trail homed elsewhere is seen
   * here as its shadow trail. */
  readonly homeRegion?: string;
  readonly s3BucketName: string;
  readonly s3KeyPrefix?: string;
  readonly isMultiRegionTrail?: boolean;
  /** Defaults to true, as CreateTrail's default. */
  readonly includeGlobalServiceEvents?: boolean;
  readonly logFileValidationEnabled?: boolean;
  readonly kmsKeyId?: string;
  readonly cloudWatchLogsLogGroupArn?: string;
  readonly cloudWatchLogsRoleArn?: string;
  readonly isOrganizationTrail?: boolean;
  /** Defaults to true: a trail that records. */
  readonly isLogging?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface TrailRecord {
  name: string;
  homeRegion: string;
  arn: string;
  s3BucketName: string;
  s3KeyPrefix?: string;
  isMultiRegionTrail: boolean;
  includeGlobalServiceEvents: boolean;
  logFileValidationEnabled: boolean;
  kmsKeyId?: string;
  cloudWatchLogsLogGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
  isOrganizationTrail: boolean;
  isLogging: boolean;
  startLoggingTime?: string;
  stopLoggingTime?: string;
  tags: Record<string, string>;
}

export interface CloudTrailState {
  /** By ARN: two Regions may each hold a trail of the same name. */
  trails: Record<string, TrailRecord>;
}

/**
 * The CloudTrail model: trails as the sandbox's Region sees them — its own trails, and the shadow trails of
 * multi-Region trails created elsewhere. StartLogging, StopLogging and UpdateTrail act only in a trail's home Region
 * (`InvalidHomeRegionException` on a shadow trail), as each operation's reference says.
 *
 * @example
 * const cloudTrail = new CloudTrailModel(sandbox.context);
 * cloudTrail.addTrail({ name: 'org-trail', s3BucketName: 'trail-logs', isMultiRegionTrail: true, isLogging: false });
 * sandbox.register(cloudTrail);
 */
export class CloudTrailModel implements ServiceModel {
  public readonly service = 'CloudTrail';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly state: CloudTrailState = { trails: {} };

  public constructor(private readonly context: SandboxContext) {
    this.commands = {
      DescribeTrails: typed((input: DescribeTrailsCommandInput) => this.describeTrails(input)),
      GetTrail: typed(
        (input: GetTrailCommandInput): Out<GetTrailCommandOutput> => ({
          Trail: this.toTrail(this.trail(input.Name)),
        }),
      ),
      GetTrailStatus: typed((input: GetTrailStatusCommandInput) => this.getTrailStatus(input)),
      StartLogging: typed((input: StartLoggingCommandInput) => this.setLogging(input.Name, true)),
      StopLogging: typed((input: StopLoggingCommandInput) => this.setLogging(input.Name, false)),
      UpdateTrail: typed((input: UpdateTrailCommandInput) => this.updateTrail(input)),
      ListTags: typed((input: ListTagsCommandInput) => this.listTags(input)),
    };
  }

  // ---- seeding and inspection ---------------------------------------------------------------------

  /** Adds a trail; refuses a name CloudTrail would refuse and a multi-Region trail without global events. */
  public addTrail(seed: TrailSeed): this {
    if (!isTrailName(seed.name)) throw new Error(`Seed error: ${seed.name} is not a valid trail name`);
    const isMultiRegionTrail = seed.isMultiRegionTrail ?? false;
    const includeGlobalServiceEvents = seed.includeGlobalServiceEvents ?? true;
    if (isMultiRegionTrail && !includeGlobalServiceEvents) {
      throw new Error(`Seed error: multi-Region trail ${seed.name} must include global service events`);
    }
    const homeRegion = seed.homeRegion ?? this.context.region;
    const arn = `arn:aws:cloudtrail:${homeRegion}:${this.context.accountId}:trail/${seed.name}`;
    const isLogging = seed.isLogging ?? true;
    const now = this.context.now().toISOString();
    this.state.trails[arn] = {
      name: seed.name,
      homeRegion,
      arn,
      s3BucketName: seed.s3BucketName,
      ...(seed.s3KeyPrefix === undefined ? {} : { s3KeyPrefix: seed.s3KeyPrefix }),
      isMultiRegionTrail,
      includeGlobalServiceEvents,
      logFileValidationEnabled: seed.logFileValidationEnabled ?? false,
      ...(seed.kmsKeyId === undefined ? {} : { kmsKeyId: seed.kmsKeyId }),
      ...(seed.cloudWatchLogsLogGroupArn === undefined
        ? {}
        : { cloudWatchLogsLogGroupArn: seed.cloudWatchLogsLogGroupArn }),
      ...(seed.cloudWatchLogsRoleArn === undefined
        ? {}
        : { cloudWatchLogsRoleArn: seed.cloudWatchLogsRoleArn }),
      isOrganizationTrail: seed.isOrganizationTrail ?? false,
      isLogging,
      ...(isLogging ? { startLoggingTime: now } : { stopLoggingTime: now }),
      tags: { ...seed.tags },
    };
    return this;
  }

  /** A copy of the trail named `name` in the sandbox's Region (or by ARN), for assertions. */
  public findTrail(nameOrArn: string): TrailRecord | undefined {
    const trail = this.lookup(nameOrArn);
    return trail === undefined ? undefined : structuredClone(trail);
  }

  /** Stops a trail without a call, as an attacker's `StopLogging` would. */
  public stopLogging(nameOrArn: string): this {
    const trail = this.lookup(nameOrArn);
    if (trail === undefined) throw new Error(`Seed error: no trail ${nameOrArn}`);
    trail.isLogging = false;
    trail.stopLoggingTime = this.context.now().toISOString();
    return this;
  }

  public snapshot(): CloudTrailState {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: CloudTrailState): void {
    replaceState(this.state, state);
  }

  // ---- commands -----------------------------------------------------------------------------------

  /**
   * Without names: every trail of the Region, and the shadow trails unless `includeShadowTrails` is false. With
   * names: trails of this Region by name, any visible trail by ARN; names that match nothing are left out.
   */
  private describeTrails(input: DescribeTrailsCommandInput): Out<DescribeTrailsCommandOutput> {
    const names = input.trailNameList ?? [];
    const visible = Object.values(this.state.trails).filter((trail) => this.isVisible(trail));
    const trails =
      names.length === 0
        ? visible.filter((trail) => input.includeShadowTrails !== false || this.isHome(trail))
        : names.flatMap((name) => {
            if (TRAIL_ARN.test(name)) return visible.filter((trail) => trail.arn === name);
            this.checkName(name);
            return visible.filter((trail) => this.isHome(trail) && trail.name === name);
          });
    return { trailList: trails.map((trail) => this.toTrail(trail)) };
  }

  private getTrailStatus(input: GetTrailStatusCommandInput): Out<GetTrailStatusCommandOutput> {
    const trail = this.trail(input.Name);
    const started = trail.startLoggingTime === undefined ? undefined : new Date(trail.startLoggingTime);
    const stopped = trail.stopLoggingTime === undefined ? undefined : new Date(trail.stopLoggingTime);
    return {
      IsLogging: trail.isLogging,
      ...(started === undefined
        ? {}
        : { StartLoggingTime: started, TimeLoggingStarted: started.toISOString() }),
      ...(stopped === undefined
        ? {}
        : { StopLoggingTime: stopped, TimeLoggingStopped: stopped.toISOString() }),
    };
  }

  private setLogging(name: string | undefined, logging: boolean): Record<string, never> {
    const trail = this.homeTrail(name);
    // Starting a trail that records (or stopping a stopped one) succeeds and changes nothing.
    if (trail.isLogging !== logging) {
      trail.isLogging = logging;
      const now = this.context.now().toISOString();
      if (logging) trail.startLoggingTime = now;
      else trail.stopLoggingTime = now;
    }
    return {};
  }

  private updateTrail(input: UpdateTrailCommandInput): Out<UpdateTrailCommandOutput> {
    const trail = this.homeTrail(input.Name);
    const isMultiRegionTrail = input.IsMultiRegionTrail ?? trail.isMultiRegionTrail;
    const includeGlobalServiceEvents = input.IncludeGlobalServiceEvents ?? trail.includeGlobalServiceEvents;
    if (isMultiRegionTrail && !includeGlobalServiceEvents) {
      throw cloudTrailError(
        'InvalidParameterCombinationException',
        'Multi-Region trail must include global service events.',
      );
    }
    // Checks first, then every change at once: a refused update changes nothing.
    trail.isMultiRegionTrail = isMultiRegionTrail;
    trail.includeGlobalServiceEvents = includeGlobalServiceEvents;
    if (input.EnableLogFileValidation !== undefined)
      trail.logFileValidationEnabled = input.EnableLogFileValidation;
    if (input.S3BucketName !== undefined) trail.s3BucketName = input.S3BucketName;
    if (input.S3KeyPrefix !== undefined) trail.s3KeyPrefix = input.S3KeyPrefix;
    if (input.KmsKeyId !== undefined) trail.kmsKeyId = input.KmsKeyId;
    if (input.CloudWatchLogsLogGroupArn !== undefined)
      trail.cloudWatchLogsLogGroupArn = input.CloudWatchLogsLogGroupArn;
    if (input.CloudWatchLogsRoleArn !== undefined) trail.cloudWatchLogsRoleArn = input.CloudWatchLogsRoleArn;
    const {
      HasCustomEventSelectors: _s,
      HasInsightSelectors: _i,
      HomeRegion: _h,
      ...updated
    } = this.toTrail(trail);
    return updated;
  }

  private listTags(input: ListTagsCommandInput): Out<ListTagsCommandOutput> {
    return {
      ResourceTagList: (input.ResourceIdList ?? []).map((resourceId) => {
        if (!TRAIL_ARN.test(resourceId)) {
          throw cloudTrailError(
            'CloudTrailARNInvalidException',
            `${resourceId} is not a trail ARN (arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail)`,
          );
        }
        const trail = this.state.trails[resourceId];
        if (trail === undefined || !this.isVisible(trail)) {
          throw cloudTrailError('ResourceNotFoundException', `Resource ${resourceId} not found.`);
        }
        return {
          ResourceId: resourceId,
          TagsList: Object.entries(trail.tags).map(([Key, Value]) => ({ Key, Value })),
        };
      }),
    };
  }

  // ---- lookups ------------------------------------------------------------------------------------

  private isHome(trail: TrailRecord): boolean {
    return trail.homeRegion === this.context.region;
  }

  /** A Region sees its own trails and the shadows of multi-Region trails homed elsewhere. */
  private isVisible(trail: TrailRecord): boolean {
    return this.isHome(trail) || trail.isMultiRegionTrail;
  }

  private checkName(name: string): void {
    if (!isTrailName(name)) {
      throw cloudTrailError(
        'InvalidTrailNameException',
        `${name}: trail names contain only letters, numbers, periods, underscores and dashes, 3 to 128 characters`,
      );
    }
  }

  /** By ARN, any visible trail; by name, a trail of this Region ("To get the status of a shadow trail … you must
   * specify its ARN"). */
  private lookup(nameOrArn: string): TrailRecord | undefined {
    if (TRAIL_ARN.test(nameOrArn)) {
      const trail = this.state.trails[nameOrArn];
      return trail !== undefined && this.isVisible(trail) ? trail : undefined;
    }
    return Object.values(this.state.trails).find((trail) => this.isHome(trail) && trail.name === nameOrArn);
  }

  private trail(nameOrArn: string | undefined): TrailRecord {
    const name = String(nameOrArn);
    if (name.startsWith('arn:') && !TRAIL_ARN.test(name)) {
      throw cloudTrailError(
        'CloudTrailARNInvalidException',
        `${name} is not a trail ARN (arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail)`,
      );
    }
    if (!name.startsWith('arn:')) this.checkName(name);
    const trail = this.lookup(name);
    if (trail === undefined) {
      const arn = TRAIL_ARN.test(name)
        ? name
        : `arn:aws:cloudtrail:${this.context.region}:${this.context.accountId}:trail/${name}`;
      throw cloudTrailError(
        'TrailNotFoundException',
        `Unknown trail: ${arn} for the user: ${this.context.accountId}`,
      );
    }
    return trail;
  }

  /** A trail the call may change: only in its home Region, never through a shadow trail. */
  private homeTrail(nameOrArn: string | undefined): TrailRecord {
    const trail = this.trail(nameOrArn);
    if (!this.isHome(trail)) {
      throw cloudTrailError(
        'InvalidHomeRegionException',
        `This operation can only be performed in the trail's home Region, ${trail.homeRegion}.`,
      );
    }
    return trail;
  }

  private toTrail(trail: TrailRecord): Trail {
    return {
      Name: trail.name,
      S3BucketName: trail.s3BucketName,
      ...(trail.s3KeyPrefix === undefined ? {} : { S3KeyPrefix: trail.s3KeyPrefix }),
      IncludeGlobalServiceEvents: trail.includeGlobalServiceEvents,
      IsMultiRegionTrail: trail.isMultiRegionTrail,
      HomeRegion: trail.homeRegion,
      TrailARN: trail.arn,
      LogFileValidationEnabled: trail.logFileValidationEnabled,
      ...(trail.cloudWatchLogsLogGroupArn === undefined
        ? {}
        : { CloudWatchLogsLogGroupArn: trail.cloudWatchLogsLogGroupArn }),
      ...(trail.cloudWatchLogsRoleArn === undefined
        ? {}
        : { CloudWatchLogsRoleArn: trail.cloudWatchLogsRoleArn }),
      ...(trail.kmsKeyId === undefined ? {} : { KmsKeyId: trail.kmsKeyId }),
      HasCustomEventSelectors: false,
      HasInsightSelectors: false,
      IsOrganizationTrail: trail.isOrganizationTrail,
    };
  }
}
