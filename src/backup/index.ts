export * from './logical-backup';
export * from './logical-backup-engine';
export * from './logical-restore';
