export * from './asl.ts';
export * from './build.ts';
export * from './ids.ts';
export * from './input.ts';
export * from './local.ts';
export * from './mermaid.ts';
export * from './states.ts';
export * from './validate.ts';
