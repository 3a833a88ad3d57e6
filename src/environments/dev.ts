import { ClusterSpec } from '../../constructs';
import { COMPANY_OIDC, ENTRY_TAINT, GENERAL_KUBELET, TENANT_PRIORITY_CLASSES } from './shared';

/**
 * Development: a single control plane node, one small shared pool, small
 * quotas, and Pod Security `baseline` enforced while `restricted` warns, so
 * teams see what production will refuse.
 */
export const dev: ClusterSpec = {
  name: 'dev',
  kubernetesVersion: '1.36.4',
  networking: { podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/16', dnsDomain: 'cluster.local' },
  priorityClasses: TENANT_PRIORITY_CLASSES,
  authentication: { oidc: COMPANY_OIDC },
  podSecurity: { enforce: 'baseline', audit: 'restricted', warn: 'restricted' },
  controlPlane: {
    count: 1,
    firstAddress: '10.10.0.10',
    sku: { cpu: '4', memory: '16Gi', ephemeralStorage: '100Gi' },
  },
  cni: { plugin: 'calico', calicoEncapsulation: 'VXLAN' },
  kubeProxy: { mode: 'iptables' },
  nodePools: [
    {
      name: 'general',
      count: 3,
      firstAddress: '10.10.1.10',
      sku: { cpu: '8', memory: '32Gi', ephemeralStorage: '200Gi' },
      kubelet: GENERAL_KUBELET,
    },
    {
      name: 'entry',
      role: 'entry',
      count: 1,
      firstAddress: '10.10.2.10',
      sku: { cpu: '2', memory: '4Gi', ephemeralStorage: '50Gi' },
      taints: [ENTRY_TAINT],
    },
  ],
  entry: { namespace: 'nginx-entry', kind: 'deployment', replicas: 1 },
  // Volumes are directories on the node their pod runs on: lost with the node, which a throwaway cluster accepts.
  storage: { classes: [{ name: 'local-path', provisioner: 'local-path' }], defaultClass: 'local-path' },
  // The platform team's on-call engineers debug pods and nodes from their own namespace.
  operations: { onCallGroups: ['oidc:platform-on-call'] },
  // A week of logs in one Loki pod, its chunks on a node-local volume.
  addons: { logging: { retention: '7d', store: { storage: { size: '20Gi' } } } },
  // Daily: dev's state is cheap to rebuild, but not nothing.
  backups: { etcd: { schedule: '0 3 * * *', keep: 2, maxAge: '26h',
    destination: { bucket: 'etcd-backups', endpoint: 'https://minio.dev.example.com', credentialsSecret: 'etcd-backup-s3' } } },
  // A throwaway cluster: Argo CD, as the team trying it out uses.
  gitops: { engine: 'argocd' },
  tenants: [
    {
      name: 'web',
      admins: { groups: ['oidc:team-web'] },
      quota: { requests: { cpu: '4', memory: '8Gi' }, limits: { memory: '16Gi' }, pods: 40 },
      routes: [
        { host: 'www.dev.example.com', service: 'frontend', port: 8080 },
        { host: 'php-apache.dev.example.com', service: 'php-apache', port: 80 },
      ],
      // The classic load-driven example: a CPU-bound page, scaled between 1 and 10 replicas at 50% cpu.
      workloads: [{
        name: 'php-apache',
        image: 'registry.k8s.io/hpa-example@sha256:581697a37f0e136db86d6b30392f0db40ce99c8248a7044c770012f4e8491544',
        containerPort: 80,
        resources: { requests: { cpu: '200m', memory: '64Mi' }, limits: { memory: '128Mi' } },
        autoscaling: { minReplicas: 1, maxReplicas: 10, cpuUtilization: 50 },
      }],
    },
    {
      name: 'payments',
      admins: { groups: ['oidc:team-payments'] },
      quota: {
        requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '8Gi' }, pods: 20,
        persistentVolumeClaims: 2, storage: '20Gi',
      },
      egress: [{ cidr: '10.50.0.0/24', ports: [{ port: 5432 }] }],
    },
    {
      name: 'search',
      admins: { groups: ['oidc:team-search'] },
      quota: {
        requests: { cpu: '2', memory: '8Gi' }, limits: { memory: '12Gi' }, pods: 10,
        persistentVolumeClaims: 3, storage: '60Gi',
      },
      limits: { defaultRequest: { cpu: '250m', memory: '1Gi' }, defaultLimit: { memory: '4Gi' } },
    },
  ],
};
