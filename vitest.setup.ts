// Powertools Metrics prints EMF to stdout on every flush; the tests assert on calls, not on that output.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
