export * from './snapshot-restore';
export * from './snapshot-schedule';
export * from './volume-snapshot-class';
export * from './workload-snapshot';
