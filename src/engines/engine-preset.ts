import { Construct } from 'constructs';
import { ConnectionProperties, DataStoreCredentials, DataStorePort, Endpoint, IDataStore } from '../connection/data-store';
import { IStatefulWorkloadOwner, StatefulWorkload } from '../workload/stateful-workload';

/**
 * The base of the engine presets (`Postgres`, `Redis`, `Cassandra`), and of a platform team's own
 * preset: an `IDataStore` run by one `StatefulWorkload`.
 *
 * In the spirit of aws-rds's `DatabaseInstanceBase`: what every preset shares lives here once (the
 * data-store contract, delegated to the workload; the operations every engine offers), and what
 * differs per engine comes from protected hooks a preset overrides. A preset creates its
 * workload in its constructor and exposes it as `workload`; everything else has a default.
 *
 * To write a preset for another engine (MySQL, say), extend this class, create the
 * `StatefulWorkload` with the engine's containers, claim templates, client ports and credentials,
 * and assign it to `workload`. Override a getter only where the engine's clients connect
 * elsewhere than the workload's headless Service (Redis hands out its primary-only Service).
 *
 * @example
 * import { Construct } from 'constructs';
 * import { EnginePreset, StatefulWorkload } from 'cdk8s-stateful';
 *
 * class MySql extends EnginePreset {
 *   public readonly workload: StatefulWorkload;
 *
 *   constructor(scope: Construct, id: string) {
 *     super(scope, id);
 *     this.workload = new StatefulWorkload(this, 'Resource', {
 *       containers: [{ name: 'mysql', image: 'docker.io/library/mysql:8.4.3', ports: [{ name: 'mysql', number: 3306 }] }],
 *       clientPorts: [{ name: 'mysql', port: 3306 }],
 *     });
 *   }
 * }
 *
 * const db = new MySql(chart, 'orders-db');
 */
export abstract class EnginePreset extends Construct implements IDataStore, IStatefulWorkloadOwner {
  /** The workload running the engine (escape hatch): the StatefulSet, its headless Service and disruption budget. */
  public abstract readonly workload: StatefulWorkload;

  constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  /** The store's name for consumers: the workload's `storeName`, or the StatefulSet name. */
  public get storeName(): string {
    return this.workload.storeName;
  }

  /** Where clients connect: the workload's headless Service DNS name and first client port. */
  public get endpoint(): Endpoint {
    return this.workload.endpoint;
  }

  /** The client ports. */
  public get ports(): DataStorePort[] {
    return this.workload.ports;
  }

  /** The first pod's DNS name and first client port: the primary, where the engine has one. */
  public get primaryEndpoint(): Endpoint | undefined {
    return this.workload.primaryEndpoint;
  }

  /** The clients' credentials, if the engine asks for any. */
  public get credentials(): DataStoreCredentials | undefined {
    return this.workload.credentials;
  }

  /** The plain settings consumers get next to the address (the workload's: the database, the local datacenter, ...). */
  public get connectionProperties(): ConnectionProperties | undefined {
    return this.workload.connectionProperties;
  }

  /** None: clients connect to the Service names the server's certificate names. */
  public get serverName(): string | undefined {
    return undefined;
  }
}
