import { App } from 'cdk8s';
import { EurekaExample } from './eureka';
import { HtmlExample } from './html';
import { WebExample } from './web';

/** Every example, one chart (and one `dist/<name>.k8s.yaml`) each. */
export function buildExamples(app: App): void {
  new WebExample(app, 'web');
  new HtmlExample(app, 'html');
  new EurekaExample(app, 'eureka');
}

if (require.main === module) {
  const app = new App();
  buildExamples(app);
  app.synth();
}
