import { Testing } from 'cdktf';
import { AddonReleasesStack } from '../../stacks/addon-releases-stack';
import { clusterSpec } from '../fixtures/cluster-spec';

describe('AddonReleasesStack', () => {
  const synth = (spec = clusterSpec()) => JSON.parse(Testing.synth(new AddonReleasesStack(Testing.app(), spec)));

  test('points the Helm provider at the environment\'s kubeconfig context', () => {
    expect(synth().provider.helm).toEqual([{ kubernetes: { config_path: '~/.kube/config', config_context: 'test' } }]);
  });

  test('uses the access the environment names', () => {
    const json = synth(clusterSpec({ access: { kubeconfigPath: '~/.kube/prod.yaml', kubeContext: 'prod-admin' } }));
    expect(json.provider.helm[0].kubernetes).toEqual({ config_path: '~/.kube/prod.yaml', config_context: 'prod-admin' });
  });

  test('keeps its state at a relative path', () => {
    expect(synth().terraform.backend).toEqual({ local: { path: 'terraform.test.tfstate' } });
  });

  // A bare 'helm' source is hashicorp/helm to terraform and OpenTofu alike.
  test('pins the Helm provider it was generated for', () => {
    expect(synth().terraform.required_providers.helm).toEqual({ source: 'helm', version: '3.1.1' });
  });
});
