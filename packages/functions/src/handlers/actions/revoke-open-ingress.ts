import { EC2Client } from '@aws-sdk/client-ec2';
import { revokeOpenIngress } from '@cordon/core/actions/revoke-open-ingress';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(revokeOpenIngress, { clients: { ec2: EC2Client } });
