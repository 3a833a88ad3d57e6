import { execFileSync } from 'child_process';
import { join } from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { ClusterSpec, ProductionCluster, Versions } from '../../../constructs';
import { clusterSpec } from '../../fixtures/cluster-spec';
import { helmBinary } from '../../helpers/helm';
import { SHARED } from '../../helpers/kubeadm-reader';
import { findObject, problemsOf, synthObjects } from '../../helpers/objects';
import { schemaError } from '../../helpers/kube-schemas';

/*
 * The local-path provisioner is rendered by prodk8s (its chart is in no Helm
 * repository); the project's own chart at the pinned version, rendered by
 * helm template, is the reference it is compared with.
 */
jest.setTimeout(60_000);

const LOCAL_PATH: ClusterSpec['storage'] = { classes: [{ name: 'local-path', provisioner: 'local-path' }], defaultClass: 'local-path' };
const objectsOf = (overrides: Partial<ClusterSpec> = {}) => synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ storage: LOCAL_PATH, ...overrides })));
const version = Versions.localPathProvisioner.provisioner.split(':')[1];

const reference: Record<string, any>[] = parseAllDocuments(execFileSync(helmBinary(), [
  'template', 'local-path', join(SHARED, 'charts', `local-path-provisioner-${version.replace(/^v/, '')}.tgz`),
  '--namespace', 'local-path-storage', '--kube-version', '1.36.4',
], { encoding: 'utf8' })).map(d => d.toJS()).filter(Boolean);
const chartObject = (kind: string) => reference.find(o => o.kind === kind)!;

describe('the local-path provisioner', () => {
  const objects = objectsOf();
  const ours = (kind: string) => objects.find(o => o.kind === kind && (o.metadata.namespace === 'local-path-storage' || o.metadata.name === 'local-path-provisioner'))!;
  const container = () => (ours('Deployment') as any).spec.template.spec.containers[0];

  test('is every object a valid Kubernetes object, in a privileged namespace of its own', () => {
    const own = objects.filter(o => o.metadata.namespace === 'local-path-storage' || ['local-path-provisioner', 'local-path-storage'].includes(o.metadata.name ?? ''));
    // With the quota that admits its system-critical pods there.
    expect(own.map(o => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Namespace', 'ResourceQuota', 'Role', 'RoleBinding', 'ServiceAccount']);
    expect(findObject(objects, 'ResourceQuota', 'system-critical', 'local-path-storage')).toBeDefined();
    for (const object of own) expect({ object: `${object.kind}/${object.metadata.name}`, error: schemaError(object) }).toEqual({ object: `${object.kind}/${object.metadata.name}`, error: undefined });
    expect(findObject(objects, 'Namespace', 'local-path-storage').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('runs the image of the chart\'s version, with the chart\'s command flags and permissions', () => {
    expect(chartObject('Deployment').spec.template.spec.containers[0].image).toBe(Versions.localPathProvisioner.provisioner);
    const flags = (command: string[]) => command.filter(arg => arg.startsWith('--')).sort();
    expect(flags(container().command)).toEqual(flags(chartObject('Deployment').spec.template.spec.containers[0].command));
    expect((ours('ClusterRole') as any).rules).toEqual(chartObject('ClusterRole').rules);
    expect((ours('Role') as any).rules).toEqual(chartObject('Role').rules);
    expect(container().env).toEqual(chartObject('Deployment').spec.template.spec.containers[0].env);
  });

  test('configures the provisioner as the chart does, with a pinned helper image that runs on any node', () => {
    const config = (ours('ConfigMap') as any).data;
    const chartConfig = chartObject('ConfigMap').data;
    expect(Object.keys(config).sort()).toEqual(Object.keys(chartConfig).sort());
    expect(JSON.parse(config['config.json'])).toEqual(JSON.parse(chartConfig['config.json']));
    expect(config.setup.trim()).toBe(chartConfig.setup.trim());
    const helper = parse(config['helperPod.yaml']);
    expect(schemaError(helper)).toBeUndefined();
    expect(helper.spec.containers[0].image).toBe(Versions.localPathProvisioner.helper);
    expect(helper.spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(container().command).toContain(Versions.localPathProvisioner.helper);
  });

  test('serves the StorageClass, bound where the pod is scheduled', () => {
    const storageClass = findObject(objects, 'StorageClass', 'local-path');
    const provisioner = container().command[container().command.indexOf('--provisioner-name') + 1];
    expect(storageClass).toMatchObject({ provisioner, volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete' });
    expect(storageClass.metadata.annotations).toEqual({ 'storageclass.kubernetes.io/is-default-class': 'true' });
  });

  test('takes its directory from the model, and its images from images.registry', () => {
    const moved = objectsOf({
      storage: { classes: [{ name: 'local', provisioner: 'local-path', localPath: { path: '/var/lib/local-volumes' } }] },
      images: { registry: 'registry.internal:5000' },
    });
    const config = findObject(moved, 'ConfigMap', 'local-path-config', 'local-path-storage').data;
    expect(JSON.parse(config['config.json']).nodePathMap[0].paths).toEqual(['/var/lib/local-volumes']);
    expect(parse(config['helperPod.yaml']).spec.containers[0].image).toBe('registry.internal:5000/library/busybox:1.37.0');
    expect(findObject(moved, 'Deployment', 'local-path-provisioner', 'local-path-storage').spec.template.spec.containers[0].image)
      .toBe(`registry.internal:5000/rancher/local-path-provisioner:${version}`);
  });

  test('is not rendered without a local-path class', () => {
    expect(synthObjects(chart => new ProductionCluster(chart, 'cluster', clusterSpec())).some(o => o.metadata.namespace === 'local-path-storage')).toBe(false);
  });

  test('refuses a second local-path class, a relative directory, and local-path options on another provisioner', () => {
    expect(problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ storage: { classes: [
      { name: 'local-a', provisioner: 'local-path', localPath: { path: 'volumes/../etc' } },
      { name: 'local-b', provisioner: 'local-path' },
      { name: 'nfs', provisioner: 'nfs', nfs: { server: 'nfs.internal', share: '/exports' }, localPath: { path: '/x' } },
    ] } })))).toEqual([
      '[test/cluster] storage.classes[0].localPath.path = "volumes/../etc": must be an absolute directory such as /var/lib/local-volumes, of letters, digits, ., _, - and /',
      '[test/cluster] storage.classes[2].localPath = {"path":"/x"}: is for provisioner "local-path" only',
      '[test/cluster] storage.classes = "local-a, local-b": may hold one class of provisioner "local-path": its one provisioner has one directory per node',
    ]);
  });
});
