import { CordonLocalError } from '../errors.ts';
import { AutoScalingModel } from './models/autoscaling.ts';
import { CloudTrailModel } from './models/cloudtrail.ts';
import { ConfigModel } from './models/config.ts';
import { DynamoDbModel } from './models/dynamodb.ts';
import { Ec2Model } from './models/ec2.ts';
import { ElbModel } from './models/elb.ts';
import { ElbV2Model } from './models/elbv2.ts';
import { IamModel } from './models/iam.ts';
import { KmsModel } from './models/kms.ts';
import { RdsModel } from './models/rds.ts';
import { S3Model } from './models/s3.ts';
import { S3ControlModel } from './models/s3-control.ts';
import { SnsModel } from './models/sns.ts';
import { SsmModel } from './models/ssm.ts';
import { StsModel } from './models/sts.ts';
import { SandboxAccount, type SandboxAccountOptions } from './sandbox-account.ts';

export { SandboxAccount } from './sandbox-account.ts';
export type { FaultSpec, LatencySpec, RecordedCall } from './types.ts';

/** A sandbox account with every service model registered, and typed handles on the models for seeding. */
export interface Sandbox {
  readonly account: SandboxAccount;
  readonly ec2: Ec2Model;
  readonly autoScaling: AutoScalingModel;
  readonly elbv2: ElbV2Model;
  readonly elb: ElbModel;
  readonly iam: IamModel;
  readonly sts: StsModel;
  readonly sns: SnsModel;
  readonly ssm: SsmModel;
  readonly dynamodb: DynamoDbModel;
  readonly config: ConfigModel;
  readonly s3: S3Model;
  readonly s3Control: S3ControlModel;
  readonly cloudTrail: CloudTrailModel;
  readonly kms: KmsModel;
  readonly rds: RdsModel;
}

/**
 * Creates a sandbox account with all the service models Cordon touches.
 *
 * @example
 * const sandbox = createSandbox({ accountId: '123456789012', region: 'us-east-1' });
 * sandbox.ec2.addVpc({ vpcId: 'vpc-0123456789abcdef0' });
 * const ec2 = sandbox.account.attach(new EC2Client({ region: 'us-east-1' }));
 */
export function createSandbox(options: SandboxAccountOptions = {}): Sandbox {
  const account = new SandboxAccount(options);
  const context = account.context;
  const ec2 = new Ec2Model(context);
  const instanceExists = (instanceId: string) => ec2.hasInstance(instanceId);
  const iam = new IamModel(context);
  const s3Control = new S3ControlModel(context);
  const models = {
    ec2,
    autoScaling: new AutoScalingModel(context),
    elbv2: new ElbV2Model(context, { instanceExists }),
    elb: new ElbModel(context, { instanceExists }),
    iam,
    sts: new StsModel(context, { iam }),
    sns: new SnsModel(context),
    ssm: new SsmModel(context),
    dynamodb: new DynamoDbModel(context),
    config: new ConfigModel(context),
    // The account's Block Public Access applies to every bucket: S3 combines it with the bucket's own.
    s3: new S3Model(context, { accountPublicAccessBlock: () => s3Control.publicAccessBlock() }),
    s3Control,
    cloudTrail: new CloudTrailModel(context),
    kms: new KmsModel(context),
    rds: new RdsModel(context),
  };
  for (const model of Object.values(models)) account.register(model);
  return { account, ...models };
}

/** A saved sandbox state lacks a service this sandbox models (or holds one it does not): nothing was restored. */
export class SandboxStateInvalidError extends CordonLocalError {
  public override readonly name = 'SandboxStateInvalidError';
}

/**
 * Puts a sandbox's state back (what `sandbox.account.snapshot()` took, also once it went through JSON): every
 * model of {@link createSandbox} restores its own part, its dates made Dates again. Parts of models this sandbox
 * does not hold (a deployment's Step Functions) are left to their owner.
 *
 * @throws SandboxStateInvalidError when a model's part is missing, before any model is changed.
 * @example restoreSandbox(createSandbox({ accountId, region }), JSON.parse(text).sandbox);
 */
export function restoreSandbox(sandbox: Sandbox, state: Readonly<Record<string, unknown>>): void {
  const { account: _account, ...models } = sandbox;
  const missing = Object.values(models)
    .map((model) => model.service)
    .filter((service) => typeof state[service] !== 'object' || state[service] === null);
  if (missing.length > 0) {
    throw new SandboxStateInvalidError(`the saved sandbox has no state for ${missing.join(', ')}`);
  }
  sandbox.ec2.restore(state[sandbox.ec2.service] as Parameters<Ec2Model['restore']>[0]);
  sandbox.autoScaling.restore(
    state[sandbox.autoScaling.service] as Parameters<AutoScalingModel['restore']>[0],
  );
  sandbox.elbv2.restore(state[sandbox.elbv2.service] as Parameters<ElbV2Model['restore']>[0]);
  sandbox.elb.restore(state[sandbox.elb.service] as Parameters<ElbModel['restore']>[0]);
  sandbox.iam.restore(state[sandbox.iam.service] as Parameters<IamModel['restore']>[0]);
  sandbox.sts.restore(state[sandbox.sts.service] as Parameters<StsModel['restore']>[0]);
  sandbox.sns.restore(state[sandbox.sns.service] as Parameters<SnsModel['restore']>[0]);
  sandbox.ssm.restore(state[sandbox.ssm.service] as Parameters<SsmModel['restore']>[0]);
  sandbox.dynamodb.restore(state[sandbox.dynamodb.service] as Parameters<DynamoDbModel['restore']>[0]);
  sandbox.config.restore(state[sandbox.config.service] as Parameters<ConfigModel['restore']>[0]);
  sandbox.s3.restore(state[sandbox.s3.service] as Parameters<S3Model['restore']>[0]);
  sandbox.s3Control.restore(state[sandbox.s3Control.service] as Parameters<S3ControlModel['restore']>[0]);
  sandbox.cloudTrail.restore(state[sandbox.cloudTrail.service] as Parameters<CloudTrailModel['restore']>[0]);
  sandbox.kms.restore(state[sandbox.kms.service] as Parameters<KmsModel['restore']>[0]);
  sandbox.rds.restore(state[sandbox.rds.service] as Parameters<RdsModel['restore']>[0]);
}
