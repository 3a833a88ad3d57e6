import { ClusterSpec, TenantSpec } from '../../constructs';

/**
 * A production-like environment named `name` with `tenants` tenants, each with its quotas,
 * limit range, network policies, role binding and one route, on enough
 * general nodes for their quotas to fit.
 */
export function syntheticEstate(tenants: number, name = `bench-${tenants}`): ClusterSpec {
  return {
    name,
    kubernetesVersion: '1.36.4',
    networking: { podCidr: '10.128.0.0/10', serviceCidr: '10.96.0.0/12' },
    controlPlane: { count: 3, firstAddress: '10.0.0.11', endpoint: { address: '10.0.0.5', network: '10.0.0.0/24' }, sku: { cpu: '8', memory: '32Gi', ephemeralStorage: '200Gi' } },
    priorityClasses: [{ name: 'high', value: 1000 }, { name: 'low', value: 10, globalDefault: true }],
    nodePools: [
      // 2 pods and 100m cpu per tenant: one 32-core node holds 50 tenants.
      { name: 'general', count: Math.ceil(tenants / 50) + 1, firstAddress: '10.1.0.10', sku: { cpu: '32', memory: '128Gi', ephemeralStorage: '500Gi' } },
      {
        name: 'entry', role: 'entry', count: 3, firstAddress: '10.2.0.10', sku: { cpu: '8', memory: '16Gi', ephemeralStorage: '100Gi' },
        taints: [{ key: 'prodk8s.io/entry', value: 'true', effect: 'NoSchedule' }],
      },
    ],
    tenants: Array.from({ length: tenants }, (_, i) => tenant(`team-${i}`)),
  };
}

function tenant(name: string): TenantSpec {
  return {
    name,
    admins: { groups: [`${name}-admins`] },
    quota: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' }, pods: 2 },
    limits: { defaultRequest: { cpu: '50m', memory: '64Mi' }, defaultLimit: { memory: '128Mi' } },
    egress: [{ cidr: '192.0.2.0/24', ports: [{ port: 443 }] }],
    routes: [{ host: `${name}.apps.example.com`, service: 'web', port: 8080 }],
  };
}

/** The tenants of each environment of a synthetic fleet. */
export const FLEET_TENANTS = 50;

/** A fleet: `environments` environments of `tenants` tenants each, as a platform team running many clusters has. */
export function syntheticFleet(environments: number, tenants: number): ClusterSpec[] {
  return Array.from({ length: environments }, (_, i) => syntheticEstate(tenants, `fleet-${i}`));
}
