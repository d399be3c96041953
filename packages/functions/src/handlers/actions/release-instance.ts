import { releaseInstance } from '@cordon/core/actions/release-instance';
import { createActionHandler } from '../../shared/action-handler.ts';

export const handler = createActionHandler(releaseInstance);
