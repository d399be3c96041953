// Loaded before anything else, as the CLI entry point and the vitest setup do.
// The local engine's handlers would print their EMF metrics to stdout on every invocation, burying the figures.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
