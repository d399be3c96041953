import { EC2Client } from '@aws-sdk/client-ec2';
import { snapshotVolumes } from '@cordon/core/actions/snapshot-volumes';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(snapshotVolumes, { clients: { ec2: EC2Client } });
