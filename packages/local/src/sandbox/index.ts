import { AutoScalingModel } from './models/autoscaling.ts';
import { CloudTrailModel } from './models/cloudtrail.ts';
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
