// The public API of prodk8s: what other repositories import.
export * from './cluster/cluster-spec';
export * from './cluster/production-cluster';
export * from './core/checks';
export * from './core/cidr';
export * from './core/labels';
export * from './core/names';
export * from './core/quantity';
export * from './core/resources';
export * from './core/taint';
export * from './tenancy/namespace-admin-role';
export * from './tenancy/pod-security';
export * from './tenancy/priority-classes';
export * from './tenancy/tenant';
export * from './tenancy/tenant-limit-range';
export * from './tenancy/tenant-network-policies';
export * from './tenancy/tenant-quota';
export * from './versions';
