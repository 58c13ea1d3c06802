export * from './logical-backup';
export * from './logical-backup-engine';
export * from './logical-restore';
export * from './snapshot-restore';
export * from './snapshot-schedule';
export * from './volume-snapshot-class';
export * from './workload-snapshot';
