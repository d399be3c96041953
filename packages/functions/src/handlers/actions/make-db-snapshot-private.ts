import { RDSClient } from '@aws-sdk/client-rds';
import { makeDbSnapshotPrivate } from '@cordon/core/actions/make-db-snapshot-private';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(makeDbSnapshotPrivate, { clients: { rds: RDSClient } });
