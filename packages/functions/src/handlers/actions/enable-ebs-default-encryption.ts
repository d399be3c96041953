import { EC2Client } from '@aws-sdk/client-ec2';
import { enableEbsDefaultEncryption } from '@cordon/core/actions/enable-ebs-default-encryption';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(enableEbsDefaultEncryption, { clients: { ec2: EC2Client } });
