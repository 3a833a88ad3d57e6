import { ClusterSpec } from '../../constructs';
import { dedicatedTaint, ENTRY_TAINT, TENANT_PRIORITY_CLASSES } from './shared';

/**
 * Production: Pod Security `restricted` everywhere, per-class budgets for the
 * critical tenants, dedicated pools for search and GPU training, and the
 * largest quotas.
 */
export const prod: ClusterSpec = {
  name: 'prod',
  kubernetesVersion: '1.36.4',
  networking: { podCidr: '10.248.0.0/15', serviceCidr: '10.100.0.0/16', dnsDomain: 'cluster.local' },
  priorityClasses: TENANT_PRIORITY_CLASSES,
  podSecurity: { enforce: 'restricted', audit: 'restricted', warn: 'restricted' },
  nodePools: [
    { name: 'general' },
    { name: 'entry', taints: [ENTRY_TAINT] },
    { name: 'search', taints: [dedicatedTaint('search')] },
    { name: 'gpu', taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
  ],
  entry: { namespace: 'nginx-entry' },
  tenants: [
    {
      name: 'web',
      admins: { groups: ['team-web'] },
      quota: { requests: { cpu: '24', memory: '48Gi' }, limits: { memory: '96Gi' }, pods: 300 },
      priorityQuotas: [
        { priorityClass: 'high', requests: { cpu: '16', memory: '32Gi' }, pods: 200 },
        { priorityClass: 'low', requests: { cpu: '8', memory: '16Gi' }, pods: 100 },
      ],
    },
    {
      name: 'payments',
      admins: { groups: ['team-payments'], users: ['payments-oncall@example.com'] },
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
      admins: { groups: ['team-search'] },
      nodePool: 'search',
      quota: {
        requests: { cpu: '32', memory: '128Gi' }, limits: { memory: '192Gi' }, pods: 60,
        persistentVolumeClaims: 12, storage: '3Ti',
      },
      limits: { defaultRequest: { cpu: '500m', memory: '2Gi' }, defaultLimit: { memory: '8Gi' } },
    },
    {
      name: 'ml-training',
      admins: { groups: ['team-ml'] },
      nodePool: 'gpu',
      quota: {
        requests: { cpu: '48', memory: '384Gi' }, limits: { memory: '512Gi' }, pods: 40,
        persistentVolumeClaims: 8, storage: '2Ti',
      },
      limits: { defaultRequest: { cpu: '1', memory: '4Gi' }, defaultLimit: { memory: '16Gi' } },
    },
  ],
};
