import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { quarantineInstanceProfile } from '@cordon/core/actions/quarantine-instance-profile';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(quarantineInstanceProfile, {
  clients: { ec2: EC2Client, iam: IAMClient },
});
