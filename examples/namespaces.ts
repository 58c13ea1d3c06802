import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Namespace } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PodSecurityAdmission } from 'cdk8s-stateful';

/**
 * `00-namespaces`: the namespaces the other examples put their objects in, each labelled for Pod
 * Security admission at the "restricted" level (enforced at v1.27, audited and warned at the
 * latest version): every pod the examples render meets it, which synthesis checks.
 *
 * `kubectl apply -f examples/dist/` applies the files in name order, so this chart's file
 * (`00-namespaces.k8s.yaml`) creates every namespace before anything is put into it. In an app
 * repository the namespaces usually come from the platform team or Argo CD's
 * `CreateNamespace=true` sync option instead.
 */
export class NamespacesExample extends Chart {
  /** The namespace names, sorted; each is labelled restricted (`PodSecurityAdmission.apply()`). */
  public readonly names: string[];

  /**
   * @param charts the charts whose namespaces to create
   */
  constructor(scope: Construct, id: string, charts: Chart[], props: ChartProps = {}) {
    super(scope, id, props);
    const used = charts.flatMap(chart => chart.node.findAll()
      .filter(ApiObject.isApiObject)
      .map(obj => obj.metadata.namespace ?? chart.namespace));
    this.names = [...new Set(used.filter((n): n is string => n !== undefined))].sort();
    for (const name of this.names) {
      PodSecurityAdmission.apply(new Namespace(this, name, { metadata: { name } }));
    }
  }
}
