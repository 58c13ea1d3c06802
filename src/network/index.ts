export * from './ingress-peer';
export * from './network-policies';
