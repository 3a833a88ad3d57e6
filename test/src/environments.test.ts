import { parse, parseAllDocuments } from 'yaml';
import { dev, prod, REFERENCE_ENVIRONMENTS, staging } from '../../src/environments';
import { KubeObject } from '../../synth/manifest-layout';
import { renderEnvironments } from '../../synth/synthesize';
import { findObject } from '../helpers/objects';
import { schemaError } from '../helpers/kube-schemas';

/** The rendered objects of one environment, read back from the YAML that would be written. */
const files = renderEnvironments(REFERENCE_ENVIRONMENTS).files;
function objectsOf(env: string): KubeObject[] {
  return files.filter(f => f.path.startsWith(`${env}/manifests/`)).flatMap(f => parseAllDocuments(f.content).map(d => d.toJS() as KubeObject));
}

describe('the reference environments', () => {
  test('are dev, staging and prod', () => {
    expect(REFERENCE_ENVIRONMENTS.map(e => e.name)).toEqual(['dev', 'staging', 'prod']);
  });

  describe.each(['dev', 'staging', 'prod'])('%s', env => {
    const objects = objectsOf(env);

    test('every object is valid against its Kubernetes schema', () => {
      const invalid = objects.map(o => [`${o.kind}/${o.metadata.name}`, schemaError(o)]).filter(([, error]) => error);
      expect(invalid).toEqual([]);
      expect(objects.length).toBeGreaterThan(20);
    });

    test('every tenant has its namespace, quotas, limit range, isolation and admin binding', () => {
      const spec = REFERENCE_ENVIRONMENTS.find(e => e.name === env)!;
      for (const tenant of spec.tenants) {
        expect(findObject(objects, 'Namespace', tenant.name).metadata.labels['prodk8s.io/environment']).toBe(env);
        expect(findObject(objects, 'ResourceQuota', 'compute', tenant.name).spec.hard['requests.cpu']).toBe(tenant.quota.requests.cpu);
        expect(findObject(objects, 'LimitRange', 'defaults', tenant.name)).toBeDefined();
        expect(findObject(objects, 'NetworkPolicy', 'default-deny', tenant.name)).toBeDefined();
        expect(findObject(objects, 'RoleBinding', 'namespace-admin', tenant.name).roleRef.name).toBe('namespace-admin');
      }
    });

    test('a kubectl apply of the folder creates namespaces and cluster-scoped objects before anything namespaced', () => {
      const names = files.filter(f => f.path.startsWith(`${env}/manifests/`)).map(f => f.path.split('/').pop()!);
      expect(names).toEqual([...names].sort());
      const firstNamespaced = objects.findIndex(o => o.metadata.namespace);
      expect(objects.slice(firstNamespaced).every(o => o.metadata.namespace)).toBe(true);
      expect(objects.slice(0, firstNamespaced).map(o => o.kind)).toContain('Namespace');
    });
  });

  test('differ as real environments do: production is stricter and larger', () => {
    const enforce = (objects: KubeObject[], ns: string) => (findObject(objects, 'Namespace', ns).metadata as any).labels['pod-security.kubernetes.io/enforce'];
    expect(enforce(objectsOf('dev'), 'web')).toBe('baseline');
    expect(enforce(objectsOf('prod'), 'web')).toBe('restricted');
    const cpu = (spec: typeof dev) => Number(spec.tenants.find(t => t.name === 'web')!.quota.requests.cpu);
    expect(cpu(dev)).toBeLessThan(cpu(staging));
    expect(cpu(staging)).toBeLessThan(cpu(prod));
    expect(findObject(objectsOf('prod'), 'ResourceQuota', 'priority-guard', 'payments')).toBeDefined();
  });
});

describe('the node layer of the reference environments', () => {
  const fileOf = (path: string) => parseAllDocuments(files.find(f => f.path === path)!.content).map(d => d.toJS());

  test.each(['dev', 'staging', 'prod'])('%s: the pod CIDR is one and the same in kubeadm, kube-proxy, Kubespray and its CNI', env => {
    const podCidr = REFERENCE_ENVIRONMENTS.find(e => e.name === env)!.networking.podCidr;
    const init = fileOf(`${env}/node/kubeadm-init.yaml`);
    const kubespray = fileOf(`${env}/kubespray/inventory/group_vars/all/k8s-cluster.yml`)[0];
    const terraform = JSON.parse(files.find(f => f.path === `${env}/terraform/cdk.tf.json`)!.content);
    const terraformValues = parse(files.find(f => f.path === `${env}/terraform/values/calico.yaml`)!.content);
    const gitops = files.find(f => /\/manifests\/10-(flux-system|argocd)\.yaml$/.test(f.path) && f.path.startsWith(`${env}/`))!;
    const release = parseAllDocuments(gitops.content).map(d => d.toJS()).find(d => d.metadata.name === 'calico');
    const gitopsValues = release.kind === 'HelmRelease' ? release.spec.values : release.spec.source.helm.valuesObject;
    expect(init.find(d => d.kind === 'ClusterConfiguration').networking.podSubnet).toBe(podCidr);
    expect(init.find(d => d.kind === 'KubeProxyConfiguration').clusterCIDR).toBe(podCidr);
    expect(fileOf(`${env}/node/kube-proxy.yaml`)[0].clusterCIDR).toBe(podCidr);
    expect(kubespray.kube_pods_subnet).toBe(podCidr);
    // The CNI is a Helm release in both targets; Kubespray installs only the CNI binaries.
    expect(kubespray.kube_network_plugin).toBe('cni');
    expect(terraform.resource.helm_release.calico.values).toEqual(['${file("${path.module}/values/calico.yaml")}']);
    expect(terraformValues.installation.calicoNetwork.ipPools.map((p: any) => p.cidr)).toEqual([podCidr]);
    expect(gitopsValues.installation.calicoNetwork.ipPools.map((p: any) => p.cidr)).toEqual([podCidr]);
  });

  test('every environment has a summary with its pools', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const summary = files.find(f => f.path === `${env}/SUMMARY.md`)!.content;
      expect(summary).toContain(`# ${env}\n`);
      expect(summary).toContain('| general |');
    }
  });
});
