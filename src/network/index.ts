export * from './network-peer';
export * from './network-policies';
