import { KMSClient } from '@aws-sdk/client-kms';
import { enableKeyRotation } from '@cordon/core/actions/enable-key-rotation';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(enableKeyRotation, { clients: { kms: KMSClient } });
