import { ClusterSpec } from '../../constructs';
import { dedicatedTaint, ENTRY_TAINT, TENANT_PRIORITY_CLASSES } from './shared';

/**
 * Staging: production's shape at a fraction of its size. Pod Security
 * `restricted` is enforced, search has its own pool, payments has
 * per-class budgets as in production.
 */
export const staging: ClusterSpec = {
  name: 'staging',
  kubernetesVersion: '1.36.4',
  networking: { podCidr: '10.246.0.0/16', serviceCidr: '10.98.0.0/16', dnsDomain: 'cluster.local' },
  priorityClasses: TENANT_PRIORITY_CLASSES,
  podSecurity: { enforce: 'restricted', audit: 'restricted', warn: 'restricted' },
  nodePools: [
    { name: 'general' },
    { name: 'entry', taints: [ENTRY_TAINT] },
    { name: 'search', taints: [dedicatedTaint('search')] },
  ],
  entry: { namespace: 'nginx-entry' },
  tenants: [
    {
      name: 'web',
      admins: { groups: ['team-web'] },
      quota: { requests: { cpu: '8', memory: '16Gi' }, limits: { memory: '32Gi' }, pods: 80 },
    },
    {
      name: 'payments',
      admins: { groups: ['team-payments'], users: ['payments-oncall@example.com'] },
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
      admins: { groups: ['team-search'] },
      nodePool: 'search',
      quota: {
        requests: { cpu: '8', memory: '32Gi' }, limits: { memory: '48Gi' }, pods: 20,
        persistentVolumeClaims: 6, storage: '600Gi',
      },
      limits: { defaultRequest: { cpu: '500m', memory: '2Gi' }, defaultLimit: { memory: '8Gi' } },
    },
  ],
};
