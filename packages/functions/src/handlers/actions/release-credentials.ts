import { IAMClient } from '@aws-sdk/client-iam';
import { releaseCredentials } from '@cordon/core/actions/release-credentials';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(releaseCredentials, { clients: { iam: IAMClient } });
