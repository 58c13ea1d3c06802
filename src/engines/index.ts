export * from './cassandra';
export * from './engine-image';
export * from './engine-metrics';
export * from './engine-preset';
export * from './postgres';
export * from './redis';
export * from './valkey';
