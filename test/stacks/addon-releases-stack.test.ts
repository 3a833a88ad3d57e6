import { Testing as Cdk8sTesting } from 'cdk8s';
import { App, Testing } from 'cdktf';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { ClusterSpec, ProductionCluster, SynthError, TerraformBackendSpec, YAML_LINE_WIDTH } from '../../constructs';
import { AddonReleasesStack, RELEASE_TIMEOUT_SECONDS, terraformLiteral } from '../../stacks/addon-releases-stack';
import { clusterSpec, entryPool, generalPool, gpuPool } from '../fixtures/cluster-spec';

function clusterOf(spec: ClusterSpec): ProductionCluster {
  return new ProductionCluster(Cdk8sTesting.chart(), 'cluster', spec);
}

/** A release's values file as the stack writes it. */
function valuesFileOf(cluster: ProductionCluster, release: string): string {
  return new AddonReleasesStack(Testing.app(), cluster).valuesFiles.find(f => f.path === `values/${release}.yaml`)!.content;
}

function synth(spec = clusterSpec()): any {
  return JSON.parse(Testing.synth(new AddonReleasesStack(Testing.app(), clusterOf(spec))));
}

describe('AddonReleasesStack', () => {
  test('points the Helm provider at the environment\'s kubeconfig context', () => {
    expect(synth().provider.helm).toEqual([{ kubernetes: { config_path: '~/.kube/config', config_context: 'test' } }]);
  });

  test('uses the access the environment names', () => {
    const json = synth(clusterSpec({ access: { kubeconfigPath: '~/.kube/prod.yaml', kubeContext: 'prod-admin' } }));
    expect(json.provider.helm[0].kubernetes).toEqual({ config_path: '~/.kube/prod.yaml', config_context: 'prod-admin' });
  });

  test('keeps its state at a relative path beside the output folder, never inside it', () => {
    expect(synth().terraform.backend).toEqual({ local: { path: '../../../.terraform-state/test.tfstate' } });
    expect(synth(clusterSpec({ terraform: { backend: { type: 'local', path: '/srv/state/test.tfstate' } } })).terraform.backend)
      .toEqual({ local: { path: '/srv/state/test.tfstate' } });
  });

  describe('keeps its state in the backend the environment names, with defaults from the environment and no credential', () => {
    const backendOf = (backend: TerraformBackendSpec) => synth(clusterSpec({ terraform: { backend } })).terraform.backend;

    test('s3, locked by S3\'s own lock file unless a DynamoDB table is named', () => {
      expect(backendOf({ type: 's3', bucket: 'state', region: 'eu-west-1' })).toEqual({
        s3: { bucket: 'state', region: 'eu-west-1', key: 'prodk8s/test/terraform.tfstate', encrypt: true, use_lockfile: true },
      });
      expect(backendOf({ type: 's3', bucket: 'state', region: 'eu-west-1', dynamodbTable: 'locks', endpoint: 'https://minio:9000', profile: 'ops', usePathStyle: true })).toEqual({
        s3: {
          bucket: 'state', region: 'eu-west-1', key: 'prodk8s/test/terraform.tfstate', encrypt: true, dynamodb_table: 'locks',
          endpoints: { s3: 'https://minio:9000' }, profile: 'ops', use_path_style: true,
        },
      });
    });

    test('http, unlocking where it locks', () => {
      expect(backendOf({ type: 'http', address: 'https://state/x', lockAddress: 'https://state/x/lock' })).toEqual({
        http: { address: 'https://state/x', lock_address: 'https://state/x/lock', unlock_address: 'https://state/x/lock' },
      });
    });

    test('pg, its connection string left to PG_CONN_STR', () => {
      expect(backendOf({ type: 'pg' })).toEqual({ pg: { schema_name: 'prodk8s_test' } });
    });

    test('kubernetes, reached as the environment\'s cluster is unless told otherwise', () => {
      expect(backendOf({ type: 'kubernetes' })).toEqual({ kubernetes: { secret_suffix: 'test', config_path: '~/.kube/config', config_context: 'test' } });
      expect(backendOf({ type: 'kubernetes', namespace: 'tf', configContext: 'mgmt' })).toEqual({
        kubernetes: { secret_suffix: 'test', namespace: 'tf', config_path: '~/.kube/config', config_context: 'mgmt' },
      });
    });

    test('gcs', () => {
      expect(backendOf({ type: 'gcs', bucket: 'state' })).toEqual({ gcs: { bucket: 'state', prefix: 'prodk8s/test' } });
    });
  });

  test('refuses an invalid cluster with its problems instead of rendering it', () => {
    const cluster = clusterOf(clusterSpec({ kubernetesVersion: '1.36.x' }));
    expect(() => new AddonReleasesStack(Testing.app(), cluster)).toThrow(SynthError);
    expect(() => new AddonReleasesStack(Testing.app(), cluster)).toThrow('[test/cluster] kubernetesVersion = "1.36.x"');
  });

  // A bare 'helm' source is hashicorp/helm to terraform and OpenTofu alike.
  test('pins the Helm provider it was generated for', () => {
    expect(synth().terraform.required_providers.helm).toEqual({ source: 'helm', version: '3.1.1' });
  });

  test('installs one atomic helm_release per add-on, with its chart, version, namespace and values', () => {
    const cluster = clusterOf(clusterSpec());
    const releases = JSON.parse(Testing.synth(new AddonReleasesStack(Testing.app(), cluster))).resource.helm_release;
    expect(Object.keys(releases).sort()).toEqual(cluster.addons.map(a => a.releaseName).sort());
    for (const addon of cluster.addons) {
      const release = releases[addon.releaseName];
      expect(release).toMatchObject({
        name: addon.releaseName,
        repository: addon.chart.repository,
        chart: addon.chart.name,
        version: addon.chart.version,
        namespace: addon.namespace,
        create_namespace: true,
        atomic: true,
        cleanup_on_fail: true,
        wait: true,
        timeout: RELEASE_TIMEOUT_SECONDS,
      });
      // Read by Terraform from the values file beside the stack, which holds the add-on's values.
      expect(release.values).toEqual([`\${file("\${path.module}/values/${addon.releaseName}.yaml")}`]);
      expect(parse(valuesFileOf(cluster, addon.releaseName))).toEqual(addon.values);
    }
  });

  test('writes each release\'s values as YAML with sorted keys, one value per line, which Helm reads as written', () => {
    const raw = { 'zeta.example.com/b': 'on', 'alpha.example.com/a': 'yes' };
    const cluster = clusterOf(clusterSpec({ addons: { metricsServer: { rawValues: { podAnnotations: raw } } } }));
    const text = valuesFileOf(cluster, 'metrics-server');
    expect(text).toContain('podAnnotations:\n  alpha.example.com/a: "yes"\n  zeta.example.com/b: "on"\n');
    const keys = Object.keys(parse(text));
    expect(keys).toEqual([...keys].sort());
    // A YAML 1.1 reader, as Helm's, takes the quoted "on" and "yes" as strings.
    expect(parse(text, { version: '1.1' }).podAnnotations).toEqual(raw);
    expect(valuesFileOf(clusterOf(clusterSpec()), 'calico-crds')).toBe('{}\n');
  });

  test('folds a long string at the line width, and the reader gets it back whole', () => {
    const long = `${'sum by (namespace) (kube_resourcequota{type="used"}) '.repeat(5)}> 0.9`;
    const text = valuesFileOf(clusterOf(clusterSpec({ addons: { metricsServer: { rawValues: { podAnnotations: { expr: long } } } } })), 'metrics-server');
    expect(text).toContain('  expr: >-\n');
    expect(Math.max(...text.split('\n').map(line => line.length))).toBeLessThanOrEqual(YAML_LINE_WIDTH);
    expect(parse(text).podAnnotations.expr).toBe(long);
  });

  test('writes the values files beside cdk.tf.json when cdktf synthesizes the stack', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'prodk8s-stack-'));
    try {
      const app = new App({ outdir });
      const stack = new AddonReleasesStack(app, clusterOf(clusterSpec()));
      app.synth();
      const folder = join(outdir, 'stacks', 'test');
      expect(readdirSync(join(folder, 'values')).sort()).toEqual(stack.valuesFiles.map(f => f.path.replace('values/', '')).sort());
      for (const file of stack.valuesFiles) expect(readFileSync(join(folder, file.path), 'utf8')).toBe(file.content);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('orders releases by their dependencies: the CNI first, the Prometheus CRDs before ServiceMonitors, the approver of kubelet certificates before metrics-server', () => {
    const releases = synth(clusterSpec({ nodePools: [generalPool(), gpuPool(), entryPool()] })).resource.helm_release;
    expect(releases['calico-crds'].depends_on).toEqual([]);
    expect(releases.calico.depends_on).toEqual(['helm_release.calico-crds']);
    expect(releases['kube-prometheus-stack'].depends_on).toEqual(['helm_release.calico']);
    expect(releases['kubelet-csr-approver'].depends_on).toEqual(['helm_release.calico']);
    expect(releases['metrics-server'].depends_on).toEqual(['helm_release.calico', 'helm_release.kubelet-csr-approver']);
    expect(releases['node-problem-detector'].depends_on).toEqual(['helm_release.calico', 'helm_release.kube-prometheus-stack']);
    expect(releases['nginx-entry'].depends_on).toEqual(['helm_release.calico', 'helm_release.kube-prometheus-stack']);
  });

  test('installs Flannel instead of Calico when the environment asks for it', () => {
    const releases = synth(clusterSpec({ cni: { plugin: 'flannel', acceptUnenforcedNetworkPolicies: true } })).resource.helm_release;
    expect(releases.flannel).toMatchObject({ chart: 'flannel', namespace: 'kube-flannel', depends_on: [] });
    expect(releases.calico).toBeUndefined();
    expect(releases['metrics-server'].depends_on).toEqual(['helm_release.flannel', 'helm_release.kubelet-csr-approver']);
  });

  test('gives the release the values as written: file() interpolates nothing, and the stack\'s own strings are escaped', () => {
    const raw = { script: 'echo ${HOME} %{ if x }' };
    const cluster = clusterOf(clusterSpec({ addons: { metricsServer: { rawValues: { podAnnotations: raw } } } }));
    expect(valuesFileOf(cluster, 'metrics-server')).toContain('script: echo ${HOME} %{ if x }\n');
    expect(JSON.stringify(synth(clusterSpec({ addons: { metricsServer: { rawValues: { podAnnotations: raw } } } })))).not.toContain('HOME');
    expect(terraformLiteral('a ${b} $c %{d} %e')).toBe('a $${b} $c %%{d} %e');
  });

  test('holds no absolute path and no secret', () => {
    const text = Testing.synth(new AddonReleasesStack(Testing.app(), clusterOf(clusterSpec())));
    expect(text).not.toMatch(/"\/(home|root|tmp|Users|work)\//);
    expect(text).not.toMatch(/password|token/i);
  });
});
