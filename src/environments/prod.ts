import { ClusterSpec } from '../../constructs';
import { COMPANY_OIDC, dedicatedTaint, ENTRY_TAINT, GENERAL_KUBELET, SEARCH_SYSCTLS, STORAGE_TAINT, TENANT_PRIORITY_CLASSES } from './shared';

/**
 * Production: three control plane nodes behind a virtual IP with a dedicated
 * etcd cluster, Pod Security `restricted` everywhere, per-class budgets for the
 * critical tenants, dedicated pools for search and for GPU training (NUMA-aligned
 * cpus and devices), nftables kube-proxy, and the largest quotas.
 */
export const prod: ClusterSpec = {
  name: 'prod',
  kubernetesVersion: '1.36.4',
  networking: { podCidr: '10.248.0.0/15', serviceCidr: '10.100.0.0/16', dnsDomain: 'cluster.local' },
  priorityClasses: TENANT_PRIORITY_CLASSES,
  authentication: { oidc: COMPANY_OIDC },
  podSecurity: { enforce: 'restricted', audit: 'restricted', warn: 'restricted' },
  controlPlane: {
    count: 3,
    firstAddress: '10.30.0.11',
    // A virtual IP that kube-vip moves between the control plane nodes.
    endpoint: { address: '10.30.0.5', port: 6443, provider: 'kube-vip', network: '10.30.0.0/24' },
    certSANs: ['api.prod.example.com'],
    etcd: { count: 3, firstAddress: '10.30.0.21' },
    sku: { cpu: '8', memory: '32Gi', ephemeralStorage: '200Gi' },
  },
  // Production nodes pull through the company's registry mirror, one pull-through cache that serves every
  // upstream (containerd names the upstream in each request's `ns` parameter).
  images: {
    mirrors: Object.fromEntries(['registry.k8s.io', 'docker.io', 'quay.io', 'ghcr.io'].map(registry => [registry, ['https://mirror.prod.example.com']])),
  },
  // Block volumes and a shared filesystem from Ceph on the storage nodes' NVMe disks, three copies of
  // everything; shared files on NFS, kept when their claim goes.
  storage: {
    ceph: { nodePool: 'storage', deviceFilter: '^nvme[0-9]+n1$', replicas: 3 },
    classes: [
      { name: 'fast-ssd', provisioner: 'ceph-block' },
      { name: 'shared-fs', provisioner: 'ceph-filesystem' },
      { name: 'nfs', provisioner: 'nfs', reclaimPolicy: 'Retain', nfs: { server: 'nfs.prod.example.com', share: '/exports/k8s-prod' } },
    ],
    defaultClass: 'fast-ssd',
  },
  cni: { plugin: 'calico', calicoEncapsulation: 'VXLANCrossSubnet' },
  kubeProxy: { mode: 'nftables' },
  nodePools: [
    {
      name: 'general',
      count: 6,
      firstAddress: '10.30.1.10',
      sku: { cpu: '32', memory: '128Gi', ephemeralStorage: '400Gi' },
      kubelet: GENERAL_KUBELET,
    },
    {
      name: 'entry',
      role: 'entry',
      count: 3,
      firstAddress: '10.30.2.10',
      sku: { cpu: '8', memory: '16Gi', ephemeralStorage: '100Gi' },
      taints: [ENTRY_TAINT],
    },
    {
      name: 'search',
      count: 4,
      firstAddress: '10.30.3.10',
      sku: { cpu: '32', memory: '128Gi', ephemeralStorage: '1Ti' },
      labels: { 'prodk8s.io/workload': 'search' },
      taints: [dedicatedTaint('search')],
      sysctls: SEARCH_SYSCTLS,
      kubelet: GENERAL_KUBELET,
    },
    {
      name: 'gpu',
      // Three: ml-training's 16 GPUs still fit with one node drained.
      count: 3,
      firstAddress: '10.30.4.10',
      sku: { cpu: '64', memory: '512Gi', ephemeralStorage: '2Ti', maxPods: 64, extendedResources: { 'nvidia.com/gpu': '8' } },
      labels: { 'prodk8s.io/accelerator': 'nvidia' },
      taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
      kubelet: {
        ...GENERAL_KUBELET,
        kubeReserved: { cpu: '1', memory: '8Gi' },
        cpuManagerPolicy: 'static',
        topologyManagerPolicy: 'restricted',
        topologyManagerScope: 'pod',
      },
    },
    {
      // Ceph's monitors, managers and OSDs, and nothing else.
      name: 'storage',
      count: 3,
      firstAddress: '10.30.5.10',
      sku: { cpu: '16', memory: '64Gi', ephemeralStorage: '200Gi' },
      taints: [STORAGE_TAINT],
      kubelet: GENERAL_KUBELET,
    },
  ],
  entry: { namespace: 'nginx-entry', nodePorts: { http: 30080, https: 30443 } },
  production: true,
  addons: {
    monitoring: {
      prometheus: { retention: '30d', retentionSize: '180GB', replicas: 2, storage: { size: '200Gi', storageClassName: 'fast-ssd' } },
      alertmanager: {
        replicas: 3,
        storage: { size: '10Gi', storageClassName: 'fast-ssd' },
        credentialsSecret: 'alertmanager-receivers',
        receivers: [
          { name: 'platform-slack', slack: { channel: '#platform-alerts', apiUrlKey: 'slack-api-url' } },
          { name: 'platform-pager', pagerDuty: { routingKeyKey: 'pagerduty-routing-key' } },
        ],
        routes: [{ matchers: ['severity="critical"'], receiver: 'platform-pager' }],
      },
      grafana: { adminSecret: 'grafana-admin' },
    },
    // Keep new pods off a node while it reports a critical problem.
    nodeProblemTaints: {},
    // A month of logs: Loki's write, read and backend pods three each, chunks in S3 in another account.
    logging: {
      retention: '30d',
      store: {
        storage: { size: '50Gi', storageClassName: 'fast-ssd' },
        objectStorage: { bucket: 'example-prod-logs', region: 'eu-central-1', credentialsSecret: 'loki-s3' },
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '4Gi' } },
      },
    },
  },
  gitops: { engine: 'flux' },
  // The platform team's on-call engineers debug pods and nodes from their own namespace.
  operations: { onCallGroups: ['oidc:platform-on-call'] },
  // Every four hours to S3 in another account; the bucket's lifecycle rule keeps them 30 days.
  backups: { etcd: { schedule: '15 */4 * * *', keep: 6, maxAge: '9h',
    destination: { bucket: 'example-prod-etcd-backups', region: 'eu-central-1', credentialsSecret: 'etcd-backup-s3' } } },
  tenants: [
    {
      name: 'web',
      admins: { groups: ['oidc:team-web'] },
      quota: { requests: { cpu: '24', memory: '48Gi' }, limits: { memory: '96Gi' }, pods: 300 },
      routes: [
        { host: 'www.example.com', service: 'frontend', port: 8080, tls: { secretName: 'www-example-com-tls' } },
        { host: 'www.example.com', pathPrefix: '/api', service: 'api', port: 8080, stripPrefix: true, tls: { secretName: 'www-example-com-tls' } },
      ],
      priorityQuotas: [
        { priorityClass: 'high', requests: { cpu: '16', memory: '32Gi' }, pods: 200 },
        { priorityClass: 'low', requests: { cpu: '8', memory: '16Gi' }, pods: 100 },
      ],
    },
    {
      name: 'payments',
      admins: { groups: ['oidc:team-payments'], users: ['oidc:payments-oncall@example.com'] },
      quota: {
        requests: { cpu: '16', memory: '32Gi' }, limits: { cpu: '32', memory: '64Gi' }, pods: 150,
        persistentVolumeClaims: 10, storage: '500Gi',
      },
      priorityQuotas: [
        { priorityClass: 'high', requests: { cpu: '10', memory: '20Gi' }, pods: 80 },
        { priorityClass: 'medium', requests: { cpu: '4', memory: '8Gi' }, pods: 40 },
        { priorityClass: 'low', requests: { cpu: '2', memory: '4Gi' }, pods: 30 },
      ],
      limits: { defaultRequest: { cpu: '250m', memory: '256Mi' }, defaultLimit: { cpu: '1', memory: '1Gi' } },
      egress: [{ cidr: '10.52.0.0/24', ports: [{ port: 5432 }] }, { cidr: '192.0.2.0/24', ports: [{ port: 443 }] }],
    },
    {
      name: 'search',
      admins: { groups: ['oidc:team-search'] },
      nodePool: 'search',
      quota: {
        requests: { cpu: '32', memory: '128Gi' }, limits: { memory: '192Gi' }, pods: 60,
        persistentVolumeClaims: 12, storage: '3Ti',
      },
      limits: { defaultRequest: { cpu: '500m', memory: '2Gi' }, defaultLimit: { memory: '8Gi' } },
    },
    {
      name: 'ml-training',
      admins: { groups: ['oidc:team-ml'] },
      nodePool: 'gpu',
      quota: {
        requests: { cpu: '48', memory: '384Gi' }, limits: { memory: '512Gi' }, pods: 40,
        extendedResources: { 'nvidia.com/gpu': '16' },
        persistentVolumeClaims: 8, storage: '2Ti',
        // Training data on the shared file server.
        storageClasses: { nfs: { storage: '1Ti', persistentVolumeClaims: 4 } },
      },
      limits: { defaultRequest: { cpu: '1', memory: '4Gi' }, defaultLimit: { memory: '16Gi' } },
    },
  ],
};
