import { Quantity } from '../core/quantity';
import { Allocatable } from './allocatable';

/** What one pool can give to the tenants' requests. */
export interface PoolSupply {
  readonly pool: string;
  /** Whether tenants that are not pinned may land on it (no NoSchedule or NoExecute taint). */
  readonly shared: boolean;
  readonly nodes: number;
  /** What one node gives to pods. */
  readonly allocatable: Allocatable;
  /** Decimal factor by which cpu and memory requests may exceed the allocatable. */
  readonly requestOvercommit: string;
}

/** What one tenant's quota lets it request. */
export interface TenantDemand {
  readonly tenant: string;
  /** The pool the tenant is pinned to, if any. */
  readonly pool?: string;
  /** Requests by resource: `cpu`, `memory`, `pods` and extended resources such as `nvidia.com/gpu`. */
  readonly requests: Readonly<Record<string, Quantity>>;
}

/** A group of pools that cannot hold what its tenants may request. */
export interface CapacityShortfall {
  /** `<pool>` for the tenants pinned to one pool, `shared` for the others. */
  readonly group: string;
  readonly resource: string;
  readonly requested: Quantity;
  readonly available: Quantity;
  /** Which tenants request how much. */
  readonly tenants: string;
  /** How the available amount adds up. */
  readonly supply: string;
}

/**
 * Checks that the tenants' quota requests fit the pools they can land on.
 * A tenant pinned to a pool can only use that pool; the others can use every
 * shared pool. With these reachable sets the exact conditions are: each pool
 * holds the tenants pinned to it, and the shared pools together hold the
 * tenants that are not pinned plus those pinned to a shared pool. cpu and
 * memory count against allocatable × overcommit; pods and extended resources
 * (GPUs) against the allocatable itself. Linear in pools and tenants.
 */
export function capacityShortfalls(pools: readonly PoolSupply[], demands: readonly TenantDemand[]): CapacityShortfall[] {
  const shortfalls: CapacityShortfall[] = [];
  const byPool = new Map<string, TenantDemand[]>(pools.map(p => [p.pool, []]));
  const sharedPools = pools.filter(p => p.shared);
  const sharedNames = new Set(sharedPools.map(p => p.pool));
  const onShared: TenantDemand[] = [];
  for (const demand of demands) {
    if (demand.pool !== undefined) byPool.get(demand.pool)?.push(demand);
    if (demand.pool === undefined || sharedNames.has(demand.pool)) onShared.push(demand);
  }
  for (const pool of pools) {
    shortfalls.push(...shortfallsOf(pool.pool, [pool], byPool.get(pool.pool)!));
  }
  shortfalls.push(...shortfallsOf('shared', sharedPools, onShared));
  return shortfalls;
}

function shortfallsOf(group: string, pools: readonly PoolSupply[], demands: readonly TenantDemand[]): CapacityShortfall[] {
  const resources = [...new Set(demands.flatMap(d => Object.keys(d.requests)))].sort();
  const shortfalls: CapacityShortfall[] = [];
  for (const resource of resources) {
    const asking = demands.filter(d => d.requests[resource] && d.requests[resource].nanos > 0n);
    const requested = asking.reduce((sum, d) => sum.plus(d.requests[resource]), Quantity.of(0));
    const parts = pools.map(pool => supplyOf(pool, resource));
    const available = parts.reduce((sum, part) => sum.plus(part.amount), Quantity.of(0));
    if (requested.compare(available) > 0) {
      shortfalls.push({
        group,
        resource,
        requested,
        available,
        tenants: listTenants(asking, resource),
        supply: parts.length === 0 ? 'no pool' : `${parts.map(part => part.text).join(' + ')} = ${available}`,
      });
    }
  }
  return shortfalls;
}

/** How many tenants a shortfall names; beyond them, the largest are named and the rest counted. */
export const NAMED_TENANTS = 10;

/** `a: 10, b: 14`, or for many tenants the largest requests first and `and N more (total)`. */
function listTenants(asking: readonly TenantDemand[], resource: string): string {
  const entry = (d: TenantDemand) => `${d.tenant}: ${d.requests[resource]}`;
  if (asking.length <= NAMED_TENANTS) return asking.map(entry).join(', ');
  const largest = [...asking].sort((a, b) => b.requests[resource]!.compare(a.requests[resource]!) || (a.tenant < b.tenant ? -1 : 1));
  return `${largest.slice(0, NAMED_TENANTS).map(entry).join(', ')} and ${asking.length - NAMED_TENANTS} more tenants`;
}

function supplyOf(pool: PoolSupply, resource: string): { amount: Quantity; text: string } {
  const perNode = perNodeAllocatable(pool.allocatable, resource);
  const overcommitted = resource === 'cpu' || resource === 'memory';
  const total = perNode.times(pool.nodes);
  const amount = overcommitted ? total.scale(pool.requestOvercommit) : total;
  const factor = overcommitted ? ` × overcommit ${pool.requestOvercommit}` : '';
  return { amount, text: `${pool.pool}: ${pool.nodes} node${pool.nodes === 1 ? '' : 's'} × ${perNode}${factor}` };
}

function perNodeAllocatable(allocatable: Allocatable, resource: string): Quantity {
  switch (resource) {
    case 'cpu': return allocatable.cpu;
    case 'memory': return allocatable.memory;
    case 'pods': return allocatable.pods;
    default: return allocatable.extended[resource] ?? Quantity.of(0);
  }
}

/** A shortfall that only a drain causes: `drained` is the pool with one node less. */
export interface DrainShortfall extends CapacityShortfall {
  readonly drained: string;
}

/**
 * What does not fit while one node of a pool is drained, pool by pool: the
 * same conditions as `capacityShortfalls` with that pool one node smaller
 * (its nodes are alike, so any one is its largest). Only what fits with every
 * node counts: a shortfall with all nodes is reported as such. Pools of one
 * node are left out: draining one empties the pool (a warning of the caller).
 */
export function drainShortfalls(pools: readonly PoolSupply[], demands: readonly TenantDemand[]): DrainShortfall[] {
  const full = new Set(capacityShortfalls(pools, demands).map(s => `${s.group}/${s.resource}`));
  return pools.filter(pool => pool.nodes >= 2).flatMap(pool => {
    const drained = pools.map(p => (p === pool ? { ...p, nodes: p.nodes - 1 } : p));
    return capacityShortfalls(drained, demands)
      .filter(s => (s.group === pool.pool || (s.group === 'shared' && pool.shared)) && !full.has(`${s.group}/${s.resource}`))
      .map(s => ({ ...s, drained: pool.pool }));
  });
}

/** How much of what a group of pools keeps with one node of `pool` drained its tenants may request, by resource. */
export interface DrainHeadroom {
  readonly pool: string;
  /** Per resource: requested as a share of the supply with one node drained, such as `cpu: 40.1%`. */
  readonly shares: Readonly<Record<string, { requested: Quantity; available: Quantity }>>;
}

/** Each pool's headroom for a drain: the requests of the tenants that can land on it against what stays with one node less. */
export function drainHeadroom(pools: readonly PoolSupply[], demands: readonly TenantDemand[]): DrainHeadroom[] {
  const sharedNames = new Set(pools.filter(p => p.shared).map(p => p.pool));
  return pools.map(pool => {
    const drained = pools.map(p => (p === pool ? { ...p, nodes: p.nodes - 1 } : p));
    const group = pool.shared ? drained.filter(p => p.shared) : drained.filter(p => p.pool === pool.pool);
    const tenants = demands.filter(d => (pool.shared ? d.pool === undefined || sharedNames.has(d.pool) : d.pool === pool.pool));
    const resources = [...new Set(tenants.flatMap(d => Object.keys(d.requests)))].sort();
    return {
      pool: pool.pool,
      shares: Object.fromEntries(resources.map(resource => [resource, {
        requested: tenants.reduce((sum, d) => sum.plus(d.requests[resource] ?? Quantity.of(0)), Quantity.of(0)),
        available: group.reduce((sum, p) => sum.plus(supplyOf(p, resource).amount), Quantity.of(0)),
      }])),
    };
  });
}
