export * from './data-store-connection';
export * from './data-store';
export * from './external-service';
