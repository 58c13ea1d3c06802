/** A store of an engine of one's own (MySQL) and its backup engine, for the tests of the backup constructs. */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LogicalBackupEngine } from '../../src/backup/logical-backup-engine';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { StatefulWorkload } from '../../src/workload/stateful-workload';

export const MYSQL_IMAGE = 'docker.io/library/mysql:8.4.3';

export function shopChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

/** A store of an engine of one's own (MySQL), as a platform team would write it. */
export function ordersDb(scope: Construct): StatefulWorkload {
  return new StatefulWorkload(scope, 'orders-db', {
    metadata: { name: 'orders-db' },
    credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(scope, 'credentials', 'orders-db-credentials')),
    containers: [{ name: 'mysql', image: MYSQL_IMAGE, ports: [{ name: 'mysql', number: 3306 }], securityContext: { user: 999, group: 999 } }],
  });
}

/** The engine's dump and restore commands: mysqldump, and mysql. */
export function mysqlEngine(scope: Construct, overrides: Partial<LogicalBackupEngine> = {}): LogicalBackupEngine {
  const secret = kplus.Secret.fromSecretName(scope, `engine-secret-${scope.node.children.length}`, 'orders-db-credentials');
  const volume = kplus.Volume.fromSecret(scope, `engine-volume-${scope.node.children.length}`, secret, { name: 'mysql-credentials' });
  const mounts = [{ path: '/run/secrets/mysql', volume, readOnly: true }];
  return {
    engineName: 'mysql',
    image: MYSQL_IMAGE,
    user: 999,
    group: 999,
    files: ['dump.sql'],
    details: { database: 'orders' },
    backup: { script: 'mysqldump --single-transaction orders > "$BACKUP_DIR/dump.sql"', volumeMounts: mounts },
    restore: { script: 'mysql orders < "$BACKUP_DIR/dump.sql"', volumeMounts: mounts, envVariables: { MYSQL_DATABASE: kplus.EnvValue.fromValue('orders') } },
    ...overrides,
  };
}

