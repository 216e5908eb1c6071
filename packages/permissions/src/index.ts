export * from './bits';
export * from './commands';
export * from './compute';
export * from './hierarchy';
