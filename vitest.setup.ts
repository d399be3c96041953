// aws-local-stepfunctions declares Node >= 22 and calls Promise.withResolvers, which Node 20 lacks.
import './packages/local/src/polyfills.ts';

// Powertools Metrics prints EMF to stdout on every flush; the tests assert on calls, not on that output.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

import { silenceSdkNodeVersionWarning } from './packages/local/src/node-warnings.ts';

silenceSdkNodeVersionWarning();
