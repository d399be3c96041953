// Loaded before anything else, as the CLI entry point and the vitest setup do.
// aws-local-stepfunctions calls Promise.withResolvers, which Node 20 lacks.
import '../packages/local/src/polyfills.ts';
import { silenceSdkNodeVersionWarning } from '../packages/local/src/node-warnings.ts';

// The local engine's handlers would print their EMF metrics to stdout on every invocation, burying the figures.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

silenceSdkNodeVersionWarning();
