import { createApprovalApiHandler } from '../approval-api.ts';

export const handler = createApprovalApiHandler();
