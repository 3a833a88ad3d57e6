import { provider } from '@cdktf/provider-helm';
import { LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ClusterSpec } from '../constructs';

/**
 * The Terraform stack of one environment: the Helm provider pointed at the
 * environment's cluster, where the add-ons are installed as `helm_release`s.
 * Its state file path is relative, so the synthesized `cdk.tf.json` carries no
 * path of the machine that produced it.
 */
export class AddonReleasesStack extends TerraformStack {
  constructor(scope: Construct, spec: ClusterSpec) {
    super(scope, spec.name);
    new LocalBackend(this, { path: `terraform.${spec.name}.tfstate` });
    new provider.HelmProvider(this, 'helm', {
      kubernetes: {
        configPath: spec.access?.kubeconfigPath ?? '~/.kube/config',
        configContext: spec.access?.kubeContext ?? spec.name,
      },
    });
  }
}
