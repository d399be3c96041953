export * from './criteria.ts';
export * from './cursor.ts';
export * from './dynamodb-cursor-store.ts';
export * from './poll.ts';
