/**
 * A consumer wired to the `Redis` preset through `DataStoreConnection`: what is particular to
 * Redis (the write Service, a password without a user name in a Secret the app renders). The
 * checks every preset shares are in test/presets-consumer.test.ts.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { DataStoreConnection } from '../../src/connection/data-store-connection';
import { Redis } from '../../src/engines/redis';
import { restrictedViolations } from '../../src/private/pod-security';
import { PodDefaults } from '../../src/workload/pod-defaults';
import { findOne, synthValid } from '../util/harness';

test('a cdk8s-plus Deployment wired to Redis gets the write Service and the password, no user name', () => {
  // GIVEN
  const chart = new Chart(Testing.app(), 'test', { namespace: 'news' });
  const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'news-redis-auth' }, stringData: { password: 'p' } });
  const redis = new Redis(chart, 'redis', {
    metadata: { name: 'news-redis' },
    password: DataStoreCredentials.fromPasswordSecret(secret),
  });
  const app = new kplus.Deployment(chart, 'app', {
    metadata: { name: 'news-manager' },
    containers: [{ name: 'app', image: 'registry.example.com/news/news-manager:2.0.0', securityContext: { user: 1000, group: 1000 } }],
  });
  PodDefaults.harden(app);

  // WHEN
  const connection = new DataStoreConnection(chart, 'conn', { store: redis, consumers: [app.containers[0]] });

  // THEN
  const manifests = synthValid(chart);
  const cm = findOne(manifests, 'ConfigMap');
  expect(cm.data.NEWS_REDIS_SERVICE_HOST).toBe(redis.endpoint.hostname);
  expect(cm.data.NEWS_REDIS_SERVICE_HOST).toBe('news-redis-write.news.svc.cluster.local');
  expect(cm.data.NEWS_REDIS_SERVICE_PORT).toBe('6379');
  expect(connection.usernameVariable).toBeUndefined();
  expect(connection.passwordVariable).toBe('NEWS_REDIS_PASSWORD');

  const deployment = findOne(manifests, 'Deployment', 'news-manager');
  const container = deployment.spec.template.spec.containers[0];
  expect(container.envFrom).toEqual([{ configMapRef: { name: cm.metadata.name } }]);
  expect(container.env).toEqual([
    { name: 'NEWS_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'news-redis-auth', key: 'password' } } },
  ]);
  expect(JSON.stringify(container.env)).not.toContain('USERNAME');
  expect(restrictedViolations(deployment.spec.template.spec)).toEqual([]);
  expect(restrictedViolations(findOne(manifests, 'StatefulSet', 'news-redis').spec.template.spec)).toEqual([]);
});
