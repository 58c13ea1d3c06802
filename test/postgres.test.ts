import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials, Postgres } from '../src';
import { synthValid } from './util/harness';

test('smoke', () => {
  const chart = Testing.chart();
  const secret = kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials');
  new Postgres(chart, 'db', { credentials: DataStoreCredentials.fromSecret(secret) });
  console.log(JSON.stringify(synthValid(chart), null, 1));
});
