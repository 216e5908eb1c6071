export * from './bits';
export * from './compute';
export * from './hierarchy';
