export * from './alarms.ts';
export * from './sync.ts';
export * from './thresholds.ts';
