export * from './data-store';
export * from './volume-claim-template';
export * from './stateful-workload';
export * from './workload-service';
