import type { ConnectionProperties, DataStoreCredentials, DataStoreTls } from '../../connection/data-store';

/** A container port of a workload: what a Service can forward to. */
export interface HostPort {
  readonly number: number;
  readonly name?: string;
  readonly protocol: string;
  readonly container: string;
}

/**
 * What a `WorkloadService` needs of the workload whose pods it reaches. `StatefulWorkload`
 * implements it; the Service does not import the workload, so the two modules have no cycle.
 */
export interface WorkloadHost {
  readonly name: string;
  readonly namespaceName?: string;
  readonly clusterDomain: string;
  readonly selectorLabels: { [key: string]: string };
  readonly credentials?: DataStoreCredentials;
  readonly connectionProperties?: ConnectionProperties;
  podName(ordinal: number): string;
  /** What consumers of the workload's client Services get: credentials and TLS settings. */
  _clientView(): { credentials?: DataStoreCredentials; ownerCredentials?: DataStoreCredentials; tls?: DataStoreTls };
  _commonLabels(): { [key: string]: string };
  /** Every port the containers expose. */
  _containerPorts(): HostPort[];
  /** The ports clients connect to (declared or inferred). */
  _clientPortNumbers(): Array<{ number: number; protocol: string; name?: string }>;
}
