import { createPollerHandler } from '../poller.ts';

export const handler = createPollerHandler();
