import { IAMClient } from '@aws-sdk/client-iam';
import { enforcePasswordPolicy } from '@cordon/core/actions/enforce-password-policy';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(enforcePasswordPolicy, { clients: { iam: IAMClient } });
