export * from './schema-migration';
export * from './sync-waves';
export * from './upgrade-guard';
