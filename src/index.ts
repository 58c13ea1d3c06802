export * from './data-store';
export * from './volume-claim-template';
export * from './stateful-workload';
export * from './workload-service';
export * from './storage-class';
export * from './persistent-volume';
export * from './persistent-volume-claim';
export * from './ephemeral-volume';
