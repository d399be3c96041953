import { quarantineInstanceProfile } from '@cordon/core/actions/quarantine-instance-profile';
import { createActionHandler } from '../../shared/action-handler.ts';

export const handler = createActionHandler(quarantineInstanceProfile);
