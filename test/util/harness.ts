import { App, Chart, Testing } from 'cdk8s';
import { expectValidManifests } from './k8s-schema';

/** Synthesizes a chart and validates every object against the Kubernetes 1.27 schema. */
export function synthValid(chart: Chart): any[] {
  const manifests = Testing.synth(chart);
  expectValidManifests(manifests);
  return manifests;
}

/** All objects of a kind (and name, when given). */
export function findAll(manifests: any[], kind: string, name?: string): any[] {
  return manifests.filter(m => m.kind === kind && (name === undefined || m.metadata?.name === name));
}

/** The one object of a kind (and name, when given); fails when there is none or more than one. */
export function findOne(manifests: any[], kind: string, name?: string): any {
  const found = findAll(manifests, kind, name);
  if (found.length !== 1) {
    const have = manifests.map(m => `${m.kind}/${m.metadata?.name}`).join(', ');
    throw new Error(`expected exactly one ${kind}${name ? `/${name}` : ''}, found ${found.length} among: ${have}`);
  }
  return found[0];
}

/** Builds charts in a fresh app, as `cdk8s synth` would, and returns every chart's objects. */
export function renderApp(build: (app: App) => void): any[] {
  const app = Testing.app();
  build(app);
  return app.charts.flatMap(c => c.toJson());
}
