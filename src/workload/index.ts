export * from './pod-defaults';
export * from './stateful-workload';
export * from './volume-claim-template';
export * from './workload-service';
