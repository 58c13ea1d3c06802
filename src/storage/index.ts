export * from './ephemeral-volume';
export * from './static-volume';
export * from './storage-class';
export * from './volume-claim';
