import { snapshotVolumes } from '@cordon/core/actions/snapshot-volumes';
import { createActionHandler } from '../../shared/action-handler.ts';

export const handler = createActionHandler(snapshotVolumes);
