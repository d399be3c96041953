import { createThresholdSyncHandler } from '../threshold-sync.ts';

export const handler = createThresholdSyncHandler();
