import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { CassandraExample } from './cassandra';
import { EurekaExample } from './eureka';
import { ExternalDnsExample } from './external-dns';
import { ExternalIpExample } from './external-ip';
import { HtmlExample } from './html';
import { LocalSsdExample } from './local-ssd';
import { NamespacesExample } from './namespaces';
import { NewsManagerRedisExample, TestRedisExample } from './redis';
import { TroubleExample } from './trouble';
import { UserDbExample, UserDbNextMajorExample } from './user-db';
import { UserDbMigrationExample } from './user-db-migration';
import { NewsCacheValkeyExample } from './valkey';
import { WebExample } from './web';

/**
 * Every example that can run side by side, one chart (and one `dist/<name>.k8s.yaml`) each, plus
 * the namespaces they use (`dist/00-namespaces.k8s.yaml`): `kubectl apply -f examples/dist/`
 * applies the whole directory. No two charts render the same object.
 */
export function buildExamples(app: App): void {
  const charts: Chart[] = [
    new WebExample(app, 'web'),
    new HtmlExample(app, 'html'),
    new EurekaExample(app, 'eureka'),
    new LocalSsdExample(app, 'local-ssd'),
    new TroubleExample(app, 'trouble'),
    new ExternalDnsExample(app, 'external-dns'),
    new UserDbMigrationExample(app, 'user-db-external', { database: 'external' }),
    new CassandraExample(app, 'cassandra'),
    new UserDbExample(app, 'user-db'),
    new TestRedisExample(app, 'test-redis'),
    new NewsManagerRedisExample(app, 'news-manager-redis'),
    new NewsCacheValkeyExample(app, 'news-cache-valkey'),
  ];
  new NamespacesExample(app, '00-namespaces', charts);
}

/**
 * The other half of a pair: the same objects (same kind, namespace and name) as a chart of
 * `buildExamples()`, rendered differently. Applying one replaces its counterpart in the cluster,
 * so they are rendered apart, to `dist/alternatives/`:
 *
 * - `external-ip`: the Service `ext` of `external-dns` through an IP address instead of a DNS name;
 * - `user-db-in-cluster`: `user-db-external` after the migration, the user database moved into
 *   the cluster with the same consumer;
 * - `user-db-restore`: `user-db` with a restore of one of its nightly dumps (the Job
 *   `user-db-restore-20250301t023000z-<hash>`), to apply when that dump must come back;
 * - `cassandra-restored`: the `cassandra` ring restored from its nightly snapshots of
 *   2025-03-01 02:00 UTC, one per node (apply it after deleting the StatefulSet and its claims: see
 *   docs/volume-snapshots.md).
 */
export function buildAlternatives(app: App): void {
  new ExternalIpExample(app, 'external-ip');
  new UserDbMigrationExample(app, 'user-db-in-cluster', { database: 'in-cluster' });
  new CassandraExample(app, 'cassandra-restored', { restoreFrom: '20250301020000' });
  new UserDbExample(app, 'user-db-restore', { restoreDump: USER_DB_RESTORE_DUMP });
}

/**
 * Upgrades: the examples' stores moving to another engine version, each an alternative of a
 * chart of `buildExamples()` like those of `buildAlternatives()`, but of a chart another
 * alternative replaces too, so rendered apart again, to `dist/upgrades/`:
 *
 * - `user-db-18`: `user-db` moving to PostgreSQL 18 by dump and restore into a new store beside it,
 *   the consumer wired to the new store (docs/engine-upgrades.md).
 */
export function buildUpgrades(app: App): void {
  new UserDbNextMajorExample(app, 'user-db-18');
}

/** The dump `user-db-restore` restores: the nightly backup of 1 March 2025. */
export const USER_DB_RESTORE_DUMP = '20250301T023000Z';

/** Where `buildAlternatives()` renders, relative to the examples' output directory. */
export const ALTERNATIVES_DIR = 'alternatives';

/** Where `buildUpgrades()` renders, relative to the examples' output directory. */
export const UPGRADES_DIR = 'upgrades';

if (require.main === module) {
  const app = new App();
  buildExamples(app);
  app.synth();
  const alternatives = new App({ outdir: path.join(app.outdir, ALTERNATIVES_DIR) });
  buildAlternatives(alternatives);
  alternatives.synth();
  const upgrades = new App({ outdir: path.join(app.outdir, UPGRADES_DIR) });
  buildUpgrades(upgrades);
  upgrades.synth();
}
