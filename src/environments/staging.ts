import { ClusterSpec } from '../../constructs';
import { COMPANY_OIDC, dedicatedTaint, ENTRY_TAINT, GENERAL_KUBELET, SEARCH_SYSCTLS, TENANT_PRIORITY_CLASSES } from './shared';

/**
 * Staging: production's shape at a fraction of its size. Three control plane
 * nodes behind a virtual IP, Pod Security `restricted` enforced, search on its
 * own pool, per-class budgets for payments as in production. Unlike
 * production, no way out to the internet: images come from one registry.
 */
export const staging: ClusterSpec = {
  name: 'staging',
  kubernetesVersion: '1.36.4',
  networking: { podCidr: '10.246.0.0/16', serviceCidr: '10.98.0.0/16', dnsDomain: 'cluster.local' },
  priorityClasses: TENANT_PRIORITY_CLASSES,
  authentication: { oidc: COMPANY_OIDC },
  podSecurity: { enforce: 'restricted', audit: 'restricted', warn: 'restricted' },
  controlPlane: {
    count: 3,
    firstAddress: '10.20.0.11',
    // A virtual IP that kube-vip moves between the control plane nodes.
    endpoint: { address: '10.20.0.5', port: 6443, provider: 'kube-vip', network: '10.20.0.0/24' },
    sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' },
  },
  // Staging's network has no route out: every image comes from the registry that holds copies of them, upstream paths kept.
  images: { registry: 'registry.staging.example.com/k8s' },
  storage: { classes: [{ name: 'nfs', provisioner: 'nfs', nfs: { server: 'nfs.staging.example.com', share: '/exports/k8s-staging' } }], defaultClass: 'nfs' },
  // The platform team's on-call engineers debug pods and nodes from their own namespace.
  operations: { onCallGroups: ['oidc:platform-on-call'] },
  backups: { etcd: { destination: { bucket: 'etcd-backups', endpoint: 'https://s3.staging.example.com', credentialsSecret: 'etcd-backup-s3' } } },
  cni: { plugin: 'calico', calicoEncapsulation: 'VXLAN' },
  kubeProxy: { mode: 'iptables' },
  nodePools: [
    {
      name: 'general',
      count: 4,
      firstAddress: '10.20.1.10',
      sku: { cpu: '16', memory: '64Gi', ephemeralStorage: '200Gi' },
      kubelet: GENERAL_KUBELET,
    },
    {
      name: 'entry',
      role: 'entry',
      count: 2,
      firstAddress: '10.20.2.10',
      sku: { cpu: '4', memory: '8Gi', ephemeralStorage: '50Gi' },
      taints: [ENTRY_TAINT],
    },
    {
      name: 'search',
      count: 3,
      firstAddress: '10.20.3.10',
      sku: { cpu: '16', memory: '64Gi', ephemeralStorage: '500Gi' },
      labels: { 'prodk8s.io/workload': 'search' },
      taints: [dedicatedTaint('search')],
      sysctls: SEARCH_SYSCTLS,
      kubelet: GENERAL_KUBELET,
    },
  ],
  entry: { namespace: 'nginx-entry' },
  addons: {
    monitoring: { prometheus: { retention: '7d', storage: { size: '50Gi' } } },
    // Two weeks of logs in one Loki pod; its chunks in MinIO, as NFS suits Loki's index and chunks poorly.
    logging: {
      retention: '14d',
      store: {
        mode: 'single-binary', storage: { size: '10Gi' },
        objectStorage: { bucket: 'staging-logs', endpoint: 'https://minio.staging.example.com', credentialsSecret: 'loki-s3' },
      },
    },
  },
  tenants: [
    {
      name: 'web',
      admins: { groups: ['oidc:team-web'] },
      quota: { requests: { cpu: '8', memory: '16Gi' }, limits: { memory: '32Gi' }, pods: 80 },
      routes: [
        { host: 'www.staging.example.com', service: 'frontend', port: 8080 },
        { host: 'www.staging.example.com', pathPrefix: '/api', service: 'api', port: 8080, stripPrefix: true },
      ],
    },
    {
      name: 'payments',
      admins: { groups: ['oidc:team-payments'], users: ['oidc:payments-oncall@example.com'] },
      quota: {
        requests: { cpu: '6', memory: '12Gi' }, limits: { memory: '24Gi' }, pods: 60,
        persistentVolumeClaims: 4, storage: '100Gi',
      },
      priorityQuotas: [
        { priorityClass: 'high', requests: { cpu: '3', memory: '6Gi' }, pods: 20 },
        { priorityClass: 'medium', requests: { cpu: '2', memory: '4Gi' }, pods: 20 },
        { priorityClass: 'low', requests: { cpu: '1', memory: '2Gi' }, pods: 20 },
      ],
      egress: [{ cidr: '10.51.0.0/24', ports: [{ port: 5432 }] }],
    },
    {
      name: 'search',
      admins: { groups: ['oidc:team-search'] },
      nodePool: 'search',
      quota: {
        requests: { cpu: '8', memory: '32Gi' }, limits: { memory: '48Gi' }, pods: 20,
        persistentVolumeClaims: 6, storage: '600Gi',
      },
      limits: { defaultRequest: { cpu: '500m', memory: '2Gi' }, defaultLimit: { memory: '8Gi' } },
    },
  ],
};
