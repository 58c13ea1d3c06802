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

/** The annotation prefix of the connection checksums `DataStoreConnection` puts on consumer pod templates. */
export const CHECKSUM_PREFIX = 'connection.cdk8s-stateful.io/';

/**
 * A copy of a workload manifest without the connection checksums on its pod template: what stays
 * the same when only the store behind a connection changes.
 */
export function withoutChecksums(manifest: any): any {
  const copy = JSON.parse(JSON.stringify(manifest));
  const templates = [copy.spec?.template, copy.spec?.jobTemplate?.spec?.template].filter(t => t?.metadata?.annotations);
  for (const t of templates) {
    for (const key of Object.keys(t.metadata.annotations)) {
      if (key.startsWith(CHECKSUM_PREFIX)) delete t.metadata.annotations[key];
    }
    if (Object.keys(t.metadata.annotations).length === 0) delete t.metadata.annotations;
  }
  return copy;
}
