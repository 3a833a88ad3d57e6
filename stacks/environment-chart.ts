import { App, Chart } from 'cdk8s';
import { ClusterSpec, ProductionCluster } from '../constructs';

/** The Kubernetes manifests of one environment: a cdk8s chart named after it. */
export class EnvironmentChart extends Chart {
  public readonly cluster: ProductionCluster;

  constructor(app: App, spec: ClusterSpec) {
    super(app, spec.name || 'unnamed', { disableResourceNameHashes: true });
    this.cluster = new ProductionCluster(this, 'cluster', spec);
  }
}
