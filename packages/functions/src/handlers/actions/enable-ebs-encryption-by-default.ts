import { EC2Client } from '@aws-sdk/client-ec2';
import { enableEbsEncryptionByDefault } from '@cordon/core/actions/enable-ebs-encryption-by-default';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(enableEbsEncryptionByDefault, { clients: { ec2: EC2Client } });
