import { createTriageHandler } from '../triage.ts';

export const handler = createTriageHandler();
