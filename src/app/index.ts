export * from './warnings';
export * from './pod-security-admission';
