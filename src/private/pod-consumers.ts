import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { podSpecsOf } from './pod-security';

/**
 * A rendered object that runs pods: a Deployment, StatefulSet, DaemonSet, Job, CronJob, ...,
 * whichever construct made it (cdk8s-plus, `StatefulWorkload`, an L1, an include).
 */
export interface PodConsumer {
  /** `Deployment/web` */
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** How many pods run at once; undefined when it depends on the cluster (a DaemonSet: one per node). */
  readonly pods?: number;
  /** The Deployment strategy, when the object is a Deployment. */
  readonly strategy?: any;
  /** The pod spec, as rendered (Kubernetes JSON). */
  readonly podSpec: any;
}

/** How many pods each kind runs at once (undefined: one per node). */
const PODS: { [kind: string]: (o: any) => number | undefined } = {
  Pod: () => 1,
  Deployment: o => o.spec?.replicas ?? 1,
  ReplicaSet: o => o.spec?.replicas ?? 1,
  ReplicationController: o => o.spec?.replicas ?? 1,
  StatefulSet: o => o.spec?.replicas ?? 1,
  DaemonSet: () => undefined,
  Job: o => o.spec?.parallelism ?? 1,
  CronJob: o => o.spec?.jobTemplate?.spec?.parallelism ?? 1,
};

/** Rendered pod consumers of an app, per root, valid for one validation pass. */
const cache = new WeakMap<IConstruct, PodConsumer[]>();
const resetting = new WeakSet<IConstruct>();

/**
 * Call from the constructor of anything whose validation calls `podConsumers()`: registers a
 * validation on its chart that drops the cached consumers. cdk8s validates a chart before its
 * children, so every validation pass (`app.synth()`, `Testing.synth()`) starts from a fresh render,
 * while the claims of one pass share it: rendering the app once per pass instead of once per claim
 * keeps synthesis linear in the number of claims.
 */
export function usesPodConsumers(scope: IConstruct): void {
  const chart = Chart.of(scope);
  if (resetting.has(chart)) return;
  resetting.add(chart);
  chart.node.addValidation({
    validate: () => {
      cache.delete(chart.node.root);
      return [];
    },
  });
}

/**
 * Every object in the app (all charts) that runs pods, rendered. Call it from a validation, when
 * the tree is complete, of a construct that called `usesPodConsumers()`.
 */
export function podConsumers(scope: IConstruct): PodConsumer[] {
  const root = scope.node.root;
  let result = cache.get(root);
  if (!result) {
    result = renderPodConsumers(root);
    cache.set(root, result);
  }
  return result;
}

function renderPodConsumers(root: IConstruct): PodConsumer[] {
  const result: PodConsumer[] = [];
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject) || !(c.kind in PODS)) continue;
    const json = c.toJson();
    const podSpec = podSpecsOf(json)[0];
    if (!podSpec) continue;
    result.push({
      id: `${c.kind}/${c.name}`,
      kind: c.kind,
      name: c.name,
      namespace: json.metadata?.namespace,
      pods: PODS[c.kind](json),
      strategy: c.kind === 'Deployment' ? json.spec?.strategy : undefined,
      podSpec,
    });
  }
  return result;
}
