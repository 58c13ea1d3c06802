import { App } from 'cdk8s';
import { EurekaExample } from './eureka';
import { HtmlExample } from './html';
import { LocalSsdExample } from './local-ssd';
import { TroubleExample } from './trouble';
import { WebExample } from './web';

/** Every example, one chart (and one `dist/<name>.k8s.yaml`) each. */
export function buildExamples(app: App): void {
  new WebExample(app, 'web');
  new HtmlExample(app, 'html');
  new EurekaExample(app, 'eureka');
  new LocalSsdExample(app, 'local-ssd');
  new TroubleExample(app, 'trouble');
}

if (require.main === module) {
  const app = new App();
  buildExamples(app);
  app.synth();
}
