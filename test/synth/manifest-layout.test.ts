import { KubeObject, layoutManifests, unplacedObjects } from '../../synth/manifest-layout';

const object = (kind: string, name: string, namespace?: string, apiVersion = 'v1'): KubeObject =>
  ({ apiVersion, kind, metadata: namespace ? { name, namespace } : { name } });

describe('layoutManifests', () => {
  const objects = [
    object('RoleBinding', 'admins', 'web', 'rbac.authorization.k8s.io/v1'),
    object('ResourceQuota', 'objects', 'web'),
    object('Namespace', 'web'),
    object('ClusterRole', 'namespace-admin', undefined, 'rbac.authorization.k8s.io/v1'),
    object('NetworkPolicy', 'default-deny', 'web', 'networking.k8s.io/v1'),
    object('ResourceQuota', 'compute', 'web'),
    object('Widget', 'custom', 'web', 'example.com/v1'),
    object('Namespace', 'api'),
    object('PriorityClass', 'high', undefined, 'scheduling.k8s.io/v1'),
    object('CustomResourceDefinition', 'widgets.example.com', undefined, 'apiextensions.k8s.io/v1'),
    object('ConfigMap', 'settings', 'api'),
  ];
  const files = layoutManifests(objects);

  test('puts CRDs, namespaces and cluster-scoped objects in files that sort before every namespace\'s file', () => {
    expect(files.map(f => f.name)).toEqual(['00-crds.yaml', '01-namespaces.yaml', '02-cluster.yaml', '10-api.yaml', '10-web.yaml']);
  });

  test('orders objects in a file by install order, then name, whatever order they were created in', () => {
    const names = (file: string) => files.find(f => f.name === file)!.objects.map(o => `${o.kind}/${o.metadata.name}`);
    expect(names('01-namespaces.yaml')).toEqual(['Namespace/api', 'Namespace/web']);
    expect(names('02-cluster.yaml')).toEqual(['PriorityClass/high', 'ClusterRole/namespace-admin']);
    expect(names('10-web.yaml')).toEqual([
      'NetworkPolicy/default-deny', 'ResourceQuota/compute', 'ResourceQuota/objects', 'RoleBinding/admins', 'Widget/custom',
    ]);
    expect(layoutManifests([...objects].reverse())).toEqual(files);
  });

  test('finds namespaced objects that name no namespace', () => {
    expect(unplacedObjects([object('ConfigMap', 'lost'), object('Namespace', 'ok'), object('Secret', 'placed', 'web')])).toEqual(['ConfigMap/lost']);
  });
});
