import { createRequestApprovalHandler } from '../request-approval.ts';

export const handler = createRequestApprovalHandler();
