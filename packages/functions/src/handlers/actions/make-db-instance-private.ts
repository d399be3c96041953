import { RDSClient } from '@aws-sdk/client-rds';
import { makeDbInstancePrivate } from '@cordon/core/actions/make-db-instance-private';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(makeDbInstancePrivate, { clients: { rds: RDSClient } });
