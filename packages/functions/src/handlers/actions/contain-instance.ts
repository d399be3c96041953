import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { containInstance } from '@cordon/core/actions/contain-instance';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(containInstance, {
  clients: { ec2: EC2Client, autoScaling: AutoScalingClient },
});
