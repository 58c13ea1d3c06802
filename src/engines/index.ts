export * from './cassandra';
export * from './engine-image';
export * from './postgres';
export * from './redis';
