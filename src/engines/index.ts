export * from './cassandra';
export * from './engine-image';
export * from './engine-preset';
export * from './postgres';
export * from './postgres-application-role';
export * from './preset-tls';
export * from './redis';
export * from './valkey';
