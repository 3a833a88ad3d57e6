import { Allocatable, capacityShortfalls, drainHeadroom, drainShortfalls, PoolSupply, Quantity, TenantDemand } from '../../../constructs';

const q = Quantity.parse;
/** One node's allocatable: 7810m cpu, 28366Mi memory, 110 pods (an 8-core 32Gi node with default reservations). */
const GENERAL: Allocatable = { cpu: q('7810m'), memory: q('28366Mi'), ephemeralStorage: q('88Gi'), pods: q('110'), extended: {} };
const GPU: Allocatable = { cpu: q('31'), memory: q('240Gi'), ephemeralStorage: q('900Gi'), pods: q('64'), extended: { 'nvidia.com/gpu': q('4') } };

const pool = (name: string, nodes: number, allocatable: Allocatable, shared = true, requestOvercommit = '1'): PoolSupply =>
  ({ pool: name, nodes, allocatable, shared, requestOvercommit });
const tenant = (name: string, requests: Record<string, string>, pinnedTo?: string): TenantDemand =>
  ({ tenant: name, pool: pinnedTo, requests: Object.fromEntries(Object.entries(requests).map(([r, v]) => [r, q(v)])) });

describe('capacityShortfalls', () => {
  test('accepts tenants whose requests fit the shared pools exactly', () => {
    // 3 × 7810m = 23430m; 3 × 110 pods = 330.
    expect(capacityShortfalls([pool('general', 3, GENERAL)], [
      tenant('a', { cpu: '10', pods: '200' }), tenant('b', { cpu: '13430m', pods: '130' }),
    ])).toEqual([]);
  });

  test('names the group, the resource, the tenants and how the supply adds up when requests exceed it', () => {
    const [shortfall, ...rest] = capacityShortfalls([pool('general', 3, GENERAL)], [tenant('a', { cpu: '10' }), tenant('b', { cpu: '14' })]);
    expect(rest).toEqual([]);
    expect(shortfall.group).toBe('shared');
    expect(shortfall.resource).toBe('cpu');
    expect(shortfall.requested.toString()).toBe('24');
    expect(shortfall.available.toString()).toBe('23430m');
    expect(shortfall.tenants).toBe('a: 10, b: 14');
    expect(shortfall.supply).toBe('general: 3 nodes × 7810m × overcommit 1 = 23430m');
  });

  test('adds up every shared pool', () => {
    const pools = [pool('general', 3, GENERAL), pool('big', 1, GPU)];
    // 23430m + 31 = 54430m.
    expect(capacityShortfalls(pools, [tenant('a', { cpu: '54430m' })])).toEqual([]);
    const [shortfall] = capacityShortfalls(pools, [tenant('a', { cpu: '55' })]);
    expect(shortfall.supply).toBe('general: 3 nodes × 7810m × overcommit 1 + big: 1 node × 31 × overcommit 1 = 54430m');
  });

  test('lets cpu and memory requests exceed the allocatable by the overcommit factor, but never pods or extended resources', () => {
    const pools = [pool('general', 3, GENERAL, true, '1.5'), pool('gpu', 2, GPU, false, '2')];
    // cpu 23430m × 1.5 = 35145m fits 35; memory 3 × 28366Mi × 1.5 = 127647Mi fits 120Gi (122880Mi).
    expect(capacityShortfalls(pools, [tenant('a', { cpu: '35', memory: '120Gi' })])).toEqual([]);
    const shortfalls = capacityShortfalls(pools, [tenant('a', { pods: '331' }), tenant('ml', { 'nvidia.com/gpu': '9' }, 'gpu')]);
    expect(shortfalls.map(s => `${s.group} ${s.resource} ${s.requested}/${s.available}`)).toEqual([
      'gpu nvidia.com/gpu 9/8',
      'shared pods 331/330',
    ]);
    expect(shortfalls[0].supply).toBe('gpu: 2 nodes × 4 = 8');
  });

  test('holds pinned tenants to their pool alone, whatever room the shared pools have', () => {
    const pools = [pool('general', 3, GENERAL), pool('gpu', 2, GPU, false)];
    const [shortfall, ...rest] = capacityShortfalls(pools, [tenant('ml', { cpu: '63' }, 'gpu'), tenant('web', { cpu: '1' })]);
    expect(rest).toEqual([]);
    expect(shortfall).toMatchObject({ group: 'gpu', resource: 'cpu', tenants: 'ml: 63', supply: 'gpu: 2 nodes × 31 × overcommit 1 = 62' });
  });

  test('counts a tenant pinned to a shared pool against that pool and against the shared pools together', () => {
    const pools = [pool('general', 3, GENERAL), pool('small', 1, GENERAL)];
    // small alone holds 7810m; all shared pools 31240m.
    expect(capacityShortfalls(pools, [tenant('pinned', { cpu: '7' }, 'small'), tenant('free', { cpu: '24' })])).toEqual([]);
    const shortfalls = capacityShortfalls(pools, [tenant('pinned', { cpu: '7' }, 'small'), tenant('free', { cpu: '25' })]);
    expect(shortfalls.map(s => [s.group, s.tenants])).toEqual([['shared', 'pinned: 7, free: 25']]);
    expect(capacityShortfalls(pools, [tenant('pinned', { cpu: '8' }, 'small')]).map(s => s.group)).toEqual(['small']);
  });

  test('reports tenants that are not pinned when no pool is shared', () => {
    const [shortfall] = capacityShortfalls([pool('gpu', 2, GPU, false)], [tenant('web', { cpu: '1' })]);
    expect(shortfall).toMatchObject({ group: 'shared', resource: 'cpu', supply: 'no pool' });
    expect(shortfall.available.toString()).toBe('0');
  });

  test('asks nothing of tenants that request nothing', () => {
    expect(capacityShortfalls([pool('gpu', 2, GPU, false)], [tenant('idle', { cpu: '0' })])).toEqual([]);
  });
});

describe('a shortfall of many tenants', () => {
  test('names the ten largest requests and counts the others', () => {
    const tenants = Array.from({ length: 25 }, (_, i) => tenant(`t${String(i).padStart(2, '0')}`, { cpu: `${i + 1}` }));
    const [shortfall] = capacityShortfalls([pool('general', 1, GENERAL)], tenants);
    expect(shortfall.tenants).toBe('t24: 25, t23: 24, t22: 23, t21: 22, t20: 21, t19: 20, t18: 19, t17: 18, t16: 17, t15: 16 and 15 more tenants');
    expect(shortfall.requested.toString()).toBe('325');
  });
});

describe('drainShortfalls: the quotas with one node of a pool drained', () => {
  test('accepts quotas that fit with any one node drained, and names the pool whose drain does not fit', () => {
    // With one of 3 general nodes drained: 2 × 7810m = 15620m.
    expect(drainShortfalls([pool('general', 3, GENERAL)], [tenant('a', { cpu: '15620m' })])).toEqual([]);
    const [shortfall, ...rest] = drainShortfalls([pool('general', 3, GENERAL)], [tenant('a', { cpu: '15621m' })]);
    expect(rest).toEqual([]);
    expect(shortfall).toMatchObject({ drained: 'general', group: 'shared', resource: 'cpu', supply: 'general: 2 nodes × 7810m × overcommit 1 = 15620m' });
  });

  test('counts GPUs per node: 16 GPUs on two 8-GPU nodes do not survive a drain, on three they do', () => {
    const gpu8: Allocatable = { ...GPU, extended: { 'nvidia.com/gpu': q('8') } };
    const ml = tenant('ml', { 'nvidia.com/gpu': '16' }, 'gpu');
    expect(drainShortfalls([pool('gpu', 2, gpu8, false)], [ml]).map(s => `${s.drained} ${s.resource} ${s.available}`)).toEqual(['gpu nvidia.com/gpu 8']);
    expect(drainShortfalls([pool('gpu', 3, gpu8, false)], [ml])).toEqual([]);
  });

  test('leaves out what does not fit with every node (reported as such) and pools of one node', () => {
    expect(drainShortfalls([pool('general', 3, GENERAL)], [tenant('a', { cpu: '30' })])).toEqual([]);
    expect(drainShortfalls([pool('edge', 1, GENERAL, false)], [tenant('a', { cpu: '1' }, 'edge')])).toEqual([]);
  });

  test('a drained shared pool leans on the other shared pools; a dedicated pool on itself alone', () => {
    const pools = [pool('general', 3, GENERAL), pool('extra', 2, GENERAL), pool('search', 2, GENERAL, false)];
    // Shared: 5 × 7810m = 39050m, one drained: 31240m. Search: 2 nodes, one drained: 7810m.
    expect(drainShortfalls(pools, [tenant('a', { cpu: '31240m' }), tenant('s', { cpu: '7810m' }, 'search')])).toEqual([]);
    expect(drainShortfalls(pools, [tenant('a', { cpu: '31241m' })]).map(s => s.drained)).toEqual(['general', 'extra']);
    expect(drainShortfalls(pools, [tenant('s', { cpu: '7811m' }, 'search')]).map(s => `${s.drained}/${s.group}`)).toEqual(['search/search']);
  });
});

test('drainHeadroom: each pool\'s tenants\' requests against what stays with one node drained', () => {
  const [general] = drainHeadroom([pool('general', 3, GENERAL)], [tenant('a', { cpu: '7810m', pods: '110' })]);
  expect(general.pool).toBe('general');
  expect(general.shares.cpu.requested.toString()).toBe('7810m');
  expect(general.shares.cpu.available.toString()).toBe('15620m');
  expect(general.shares.pods.available.toString()).toBe('220');
});
