import { Testing } from 'cdk8s';
import { ClusterSpec, NVIDIA_CONTAINER_RUNTIME, ProductionCluster } from '../../../constructs';
import { nodeFiles } from '../../../stacks/node-files';
import { renderEnvironments } from '../../../synth/synthesize';
import { prod } from '../../../src/environments';
import { clusterSpec, generalPool, gpuPool, tenantSpec } from '../../fixtures/cluster-spec';
import { helmTemplate } from '../../helpers/helm';
import { problemsOf } from '../../helpers/objects';
import { schemaError } from '../../helpers/kube-schemas';
import { shellCommands } from '../../helpers/shell';

// GPUs a SKU declares are advertised by NVIDIA's device plugin, on the GPU pools only.
jest.setTimeout(60_000);

const cluster = (overrides: Partial<ClusterSpec> = {}) => new ProductionCluster(Testing.chart(), 'cluster', clusterSpec(overrides));

describe('the device plugin of prod\'s gpu pool, rendered by its chart', () => {
  const plugin = new ProductionCluster(Testing.chart(), 'cluster', prod).addonSet.nvidiaDevicePlugin!.release;
  let objects: Record<string, any>[];
  beforeAll(() => {
    objects = helmTemplate(plugin, prod.kubernetesVersion);
  });

  test('runs on the gpu pool\'s nodes only, tolerating its taint, as node-critical DaemonSets', () => {
    // The MPS control daemon runs only where a node is also labelled MPS-capable.
    const daemonSets = objects.filter(o => o.kind === 'DaemonSet');
    expect(daemonSets.map(d => d.metadata.name)).toEqual(['nvidia-device-plugin', 'nvidia-device-plugin-mps-control-daemon']);
    for (const daemonSet of daemonSets) {
      const pod = daemonSet.spec.template.spec;
      expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
        { matchExpressions: [{ key: 'prodk8s.io/node-pool', operator: 'In', values: ['gpu'] }] },
      ]);
      expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]);
      expect(pod.priorityClassName).toBe('system-node-critical');
      expect(daemonSet.metadata.namespace).toBe('nvidia-device-plugin');
    }
    // GPUs are handed over as volume mounts, which the kubelet sets, not as the variable any pod could set.
    const env = daemonSets[0].spec.template.spec.containers[0].env as { name: string; value: string }[];
    expect(env).toContainEqual({ name: 'DEVICE_LIST_STRATEGY', value: 'volume-mounts' });
    expect(daemonSets[1].spec.template.spec.nodeSelector).toEqual({ 'nvidia.com/mps.capable': 'true' });
  });

  test('brings no node-feature-discovery or gpu-feature-discovery, and every object is valid to the Kubernetes schema', () => {
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`).filter(name => /feature-discovery/.test(name))).toEqual([]);
    for (const object of objects) expect({ object: `${object.kind}/${object.metadata.name}`, error: schemaError(object as any) }).toEqual({ object: `${object.kind}/${object.metadata.name}`, error: undefined });
  });

  test('its namespace allows the host paths it needs', () => {
    expect(plugin.namespaceLabels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });
});

describe('GPU pools in the node layer', () => {
  const files = nodeFiles(cluster());
  const config = (path: string) => ((files.find(f => f.path === path) as { cloudConfig: Record<string, unknown> }).cloudConfig.write_files as { path: string; content: string }[]);
  const containerd = (path: string) => config(path).find(f => f.path === '/etc/containerd/config.toml')!.content;
  const script = (path: string) => shellCommands(config(path).find(f => f.path === '/usr/local/sbin/prodk8s-bootstrap')!.content).join('\n');

  test('run containers through NVIDIA\'s runtime by default, and check the driver and toolkit first', () => {
    const gpu = containerd('node/pools/gpu/cloud-init-test-gpu-1.yaml');
    expect(gpu).toContain("[plugins.'io.containerd.cri.v1.runtime'.containerd]\n  default_runtime_name = 'nvidia'\n");
    expect(gpu).toContain(`[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.nvidia.options]\n  BinaryName = '${NVIDIA_CONTAINER_RUNTIME}'\n  SystemdCgroup = true\n`);
    expect(script('node/pools/gpu/cloud-init-test-gpu-1.yaml')).toContain(`[ -x ${NVIDIA_CONTAINER_RUNTIME} ] && command -v nvidia-ctk >/dev/null || fail`);
    // GPUs only as the plugin's volume mounts: an unprivileged container's NVIDIA_VISIBLE_DEVICES gets none.
    expect(script('node/pools/gpu/cloud-init-test-gpu-1.yaml')).toContain('nvidia-ctk config --in-place '
      + '--set accept-nvidia-visible-devices-envvar-when-unprivileged=false --set accept-nvidia-visible-devices-as-volume-mounts=true\n');
    expect(script('node/pools/gpu/cloud-init-test-gpu-1.yaml')).toContain('nvidia-smi -L');
  });

  test('leave other pools on runc', () => {
    expect(containerd('node/pools/general/cloud-init-test-general-1.yaml')).not.toContain('nvidia');
    expect(script('node/pools/general/cloud-init-test-general-1.yaml')).not.toContain('nvidia');
  });

  test('get the same runtime from Kubespray, in the pool\'s group only', () => {
    const inventory = renderEnvironments([clusterSpec()]).files.filter(f => f.path.startsWith('test/kubespray/inventory/group_vars/'));
    expect(inventory.filter(f => f.content.includes('containerd_default_runtime')).map(f => f.path))
      .toEqual(['test/kubespray/inventory/group_vars/pool_gpu/containerd.yml']);
  });
});

describe('extended resources without a provider', () => {
  const problems = (overrides: Partial<ClusterSpec>) => problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec(overrides)));
  const fpga = gpuPool({ name: 'fpga', firstAddress: '10.0.3.10', sku: { cpu: '16', memory: '64Gi', ephemeralStorage: '100Gi', extendedResources: { 'example.com/fpga': '2' } } });

  test('no plugin without a pool that declares GPUs', () => {
    expect(cluster({ nodePools: [generalPool()] }).addonSet.nvidiaDevicePlugin).toBeUndefined();
  });

  test('a SKU resource nothing advertises is refused, unless declared external', () => {
    expect(problems({ nodePools: [generalPool(), fpga] })).toEqual([
      '[test/cluster] nodePools[1].sku.extendedResources = "example.com/fpga": nothing in the model advertises it, so pods requesting it would stay Pending: '
      + 'the model provides nvidia.com/gpu (NVIDIA\'s device plugin); list what a plugin installed outside it provides in externalExtendedResources',
    ]);
    expect(problems({ nodePools: [generalPool(), fpga], externalExtendedResources: ['example.com/fpga'] })).toEqual([]);
  });

  test('an external resource must be declared by a pool and not be one the model provides', () => {
    expect(problems({ externalExtendedResources: ['nvidia.com/gpu', 'example.com/fpga'] })).toEqual([
      '[test/cluster] externalExtendedResources[0] = "nvidia.com/gpu": is advertised by the model\'s own device plugin: a second plugin would advertise the devices twice',
      '[test/cluster] externalExtendedResources[1] = "example.com/fpga": no node pool\'s SKU declares it',
    ]);
  });

  test('a quota of a resource no pool declares is refused', () => {
    expect(problems({
      nodePools: [generalPool()],
      tenants: [tenantSpec({ quota: { requests: { cpu: '2', memory: '4Gi' }, pods: 20, extendedResources: { 'nvidia.com/gpu': '2' } } })],
    })).toContainEqual('[test/cluster] tenants[0].quota.extendedResources = "nvidia.com/gpu": no node pool\'s SKU declares it, so pods requesting it would never be scheduled');
  });
});
