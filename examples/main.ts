import { App } from 'cdk8s';
import { EurekaExample } from './eureka';
import { ExternalDnsExample } from './external-dns';
import { ExternalIpExample } from './external-ip';
import { HtmlExample } from './html';
import { LocalSsdExample } from './local-ssd';
import { TroubleExample } from './trouble';
import { UserDbMigrationExample } from './user-db-migration';
import { WebExample } from './web';

/** Every example, one chart (and one `dist/<name>.k8s.yaml`) each. */
export function buildExamples(app: App): void {
  new WebExample(app, 'web');
  new HtmlExample(app, 'html');
  new EurekaExample(app, 'eureka');
  new LocalSsdExample(app, 'local-ssd');
  new TroubleExample(app, 'trouble');
  new ExternalDnsExample(app, 'external-dns');
  new ExternalIpExample(app, 'external-ip');
  new UserDbMigrationExample(app, 'user-db-external', { database: 'external' });
  new UserDbMigrationExample(app, 'user-db-in-cluster', { database: 'in-cluster' });
}

if (require.main === module) {
  const app = new App();
  buildExamples(app);
  app.synth();
}
