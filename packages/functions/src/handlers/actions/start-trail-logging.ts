import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { startTrailLogging } from '@cordon/core/actions/start-trail-logging';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(startTrailLogging, { clients: { cloudTrail: CloudTrailClient } });
