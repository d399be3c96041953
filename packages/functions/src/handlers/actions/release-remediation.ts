import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { releaseRemediation } from '@cordon/core/actions/release-remediation';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(releaseRemediation, {
  clients: {
    ec2: EC2Client,
    s3: S3Client,
    s3Control: S3ControlClient,
    cloudTrail: CloudTrailClient,
    iam: IAMClient,
    kms: KMSClient,
    rds: RDSClient,
  },
});
