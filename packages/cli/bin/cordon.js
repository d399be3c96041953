#!/usr/bin/env node
// The CLI runs Cordon's TypeScript sources through tsx (the same sources the tests and the Lambda bundles use).
import { register } from 'tsx/esm/api';

// Powertools Metrics would print CloudWatch EMF lines to the terminal: the local engine has no CloudWatch.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
