import { protectEvidence } from '@cordon/core/actions/protect-evidence';
import { createActionHandler } from '../../shared/action-handler.ts';

export const handler = createActionHandler(protectEvidence);
