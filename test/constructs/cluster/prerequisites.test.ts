import { Testing } from 'cdk8s';
import { ClusterSpec, mergedPrerequisites, ProductionCluster } from '../../../constructs';
import { prod } from '../../../src/environments';
import { environmentSummary } from '../../../stacks/summary';
import { clusterSpec } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';

const cluster = (spec: ClusterSpec) => new ProductionCluster(Testing.chart(), 'cluster', spec);

describe('the prerequisites of prod', () => {
  const prerequisites = cluster(prod).prerequisites;

  test('name every Secret the model refers to, with the keys it must hold, and every external provider', () => {
    expect(prerequisites).toEqual([
      {
        kind: 'Bucket', name: 'example-prod-etcd-backups/prod', usedBy: 'backups.etcd',
        holds: ['a lifecycle rule: how long snapshots are kept', 'at AWS S3, eu-central-1', 'writable with those credentials'],
      },
      {
        kind: 'Bucket', name: 'example-prod-logs', usedBy: 'addons.logging.store',
        holds: ['at AWS S3, eu-central-1', 'no lifecycle rule shorter than the retention (30d): Loki deletes older logs itself', 'readable and writable with those credentials'],
      },
      { kind: 'DNS name', name: 'www.example.com', holds: ['resolves to the load balancer in front of the entry nodes'], usedBy: 'the routes of tenant web' },
      { kind: 'GitOps engine', name: 'Flux', namespace: 'flux-system', holds: ['the HelmRelease, HelmRepository and OCIRepository CRDs'], usedBy: 'gitops' },
      {
        kind: 'Load balancer', name: 'in front of the entry nodes', usedBy: 'the tenants\' routes',
        holds: ['TCP 80 to NodePort 30080 and 443 to 30443 of 10.30.2.10, 10.30.2.11, 10.30.2.12'],
      },
      { kind: 'NFS export', name: 'nfs.prod.example.com:/exports/k8s-prod', holds: ['writable by root from every node'], usedBy: 'storage class nfs' },
      { kind: 'Secret', name: 'etcd-backup-s3', namespace: 'kube-system', holds: ['access-key-id', 'secret-access-key'], usedBy: 'backups.etcd' },
      { kind: 'Secret', name: 'loki-s3', namespace: 'logging', holds: ['access-key-id', 'secret-access-key'], usedBy: 'addons.logging.store' },
      { kind: 'Secret', name: 'alertmanager-receivers', namespace: 'monitoring', holds: ['pagerduty-routing-key', 'slack-api-url'], usedBy: 'addons.monitoring.alertmanager.receivers' },
      { kind: 'Secret', name: 'grafana-admin', namespace: 'monitoring', holds: ['admin-password', 'admin-user'], usedBy: 'addons.monitoring.grafana' },
      { kind: 'Secret', name: 'www-example-com-tls', namespace: 'web', holds: ['tls.crt', 'tls.key'], usedBy: 'the routes of www.example.com' },
    ]);
  });

  test('are listed in SUMMARY.md', () => {
    const summary = environmentSummary(cluster(prod));
    expect(summary).toContain('\n- Secret `alertmanager-receivers` in namespace `monitoring`, with keys `pagerduty-routing-key`, `slack-api-url` (for\n'
      + '  addons.monitoring.alertmanager.receivers)\n');
    expect(summary).toContain('\n- NFS export `nfs.prod.example.com:/exports/k8s-prod`: writable by root from every node (for storage class nfs)\n');
  });
});

test('an external API endpoint, external extended resources and Argo CD are prerequisites too', () => {
  const spec = clusterSpec({
    controlPlane: { count: 3, firstAddress: '10.0.0.11', sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' }, endpoint: { address: 'api.example.com', port: 6443, provider: 'external' } },
    gitops: { engine: 'argocd' },
  });
  expect(cluster(spec).prerequisites.map(p => `${p.kind} ${p.name}`)).toEqual([
    'API endpoint api.example.com:6443', 'Bucket etcd-backups/test', 'GitOps engine Argo CD', 'Secret etcd-backup-s3', 'StorageClass logs',
  ]);
});

test('an external default StorageClass must carry the default-class annotation, which the model cannot set on it', () => {
  const spec = clusterSpec({ storage: { classes: [{ name: 'san', provisioner: 'external' }, { name: 'archive', provisioner: 'external' }], defaultClass: 'san' } });
  expect(cluster(spec).prerequisites.filter(p => p.kind === 'StorageClass')).toEqual([
    { kind: 'StorageClass', name: 'archive', holds: [], usedBy: 'storage.classes' },
    { kind: 'StorageClass', name: 'san', holds: ['storageclass.kubernetes.io/is-default-class: "true"'], usedBy: 'storage.classes, storage.defaultClass' },
  ]);
});

test('the same Secret used twice is one prerequisite with the keys of both', () => {
  expect(mergedPrerequisites([
    { kind: 'Secret', name: 'certs', namespace: 'web', holds: ['tls.key', 'tls.crt'], usedBy: 'a' },
    { kind: 'Secret', name: 'certs', namespace: 'web', holds: ['ca.crt'], usedBy: 'b' },
    { kind: 'Secret', name: 'certs', namespace: 'api', holds: ['tls.crt'], usedBy: 'a' },
  ])).toEqual([
    { kind: 'Secret', name: 'certs', namespace: 'api', holds: ['tls.crt'], usedBy: 'a' },
    { kind: 'Secret', name: 'certs', namespace: 'web', holds: ['ca.crt', 'tls.crt', 'tls.key'], usedBy: 'a, b' },
  ]);
});

test('Secret names and keys the model refers to are refused when the API server would refuse them', () => {
  const monitoring = {
    alertmanager: { credentialsSecret: 'Receivers', receivers: [{ name: 'slack', slack: { channel: '#a', apiUrlKey: 'slack url' } }] },
    grafana: { adminSecret: 'grafana_admin' },
  };
  expect(problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ addons: { monitoring } })))).toEqual([
    '[test/cluster/addons/monitoring] alertmanager.receivers[0].slack.apiUrlKey = "slack url": must be a Secret key: letters, digits, -, _ or .',
    expect.stringMatching(/^\[test\/cluster\/addons\/monitoring\] alertmanager.credentialsSecret = "Receivers": must be a DNS-1123 subdomain/),
    expect.stringMatching(/^\[test\/cluster\/addons\/monitoring\] grafana.adminSecret = "grafana_admin": must be a DNS-1123 subdomain/),
  ]);
});
