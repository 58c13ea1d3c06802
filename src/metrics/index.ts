export * from './metrics-exporter';
export * from './pod-monitor';
export * from './prometheus-rule';
