import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { enableLogFileValidation } from '@cordon/core/actions/enable-log-file-validation';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(enableLogFileValidation, {
  clients: { cloudTrail: CloudTrailClient },
});
