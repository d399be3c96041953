import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { detachFromAutoScaling } from '@cordon/core/actions/detach-from-autoscaling';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(detachFromAutoScaling, {
  clients: { autoScaling: AutoScalingClient, ec2: EC2Client },
});
