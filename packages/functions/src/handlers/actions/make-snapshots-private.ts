import { EC2Client } from '@aws-sdk/client-ec2';
import { makeSnapshotsPrivate } from '@cordon/core/actions/make-snapshots-private';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(makeSnapshotsPrivate, { clients: { ec2: EC2Client } });
