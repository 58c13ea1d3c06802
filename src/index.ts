export * from './connection';
export * from './workload';
export * from './storage';
export * from './backup';
export * from './metrics';
export * from './engines';
export * from './gitops';
export * from './app';
