import { checkHostSet, Checks, ClusterSpec, expandHosts, HostSetSpec, NodePool, ProductionCluster } from '../../../constructs';
import { clusterSpec, generalPool } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';

const PATTERN = 'test-workers-{index}';
const NAME_RULE = 'node names must be DNS-1123 subdomains: lower-case letters, digits, \'-\' and \'.\'';

/** The problems of a host set at `workers`, expanded with the default pattern as a pool would. */
function hostSetProblems(set: HostSetSpec, defaultPattern = PATTERN): string[] {
  const checks = new Checks();
  checkHostSet(checks, 'workers', set, expandHosts(set, defaultPattern));
  return checks.problems;
}

describe('expandHosts', () => {
  test('numbers counted hosts from 1 by the default pattern, at consecutive addresses', () => {
    expect(expandHosts({ count: 3, firstAddress: '10.0.1.10' }, PATTERN)).toEqual([
      { name: 'test-workers-1', address: '10.0.1.10' },
      { name: 'test-workers-2', address: '10.0.1.11' },
      { name: 'test-workers-3', address: '10.0.1.12' },
    ]);
  });

  test('names counted hosts by their own pattern', () => {
    expect(expandHosts({ count: 2, firstAddress: '192.168.0.1', hostnamePattern: 'gpu-{index}.dc1' }, PATTERN).map(h => h.name))
      .toEqual(['gpu-1.dc1', 'gpu-2.dc1']);
  });

  test('carries addresses over octet boundaries', () => {
    expect(expandHosts({ count: 3, firstAddress: '10.0.255.254' }, PATTERN).map(h => h.address)).toEqual(['10.0.255.254', '10.0.255.255', '10.1.0.0']);
  });

  test('takes listed hosts as they are, in a copy, whatever the count says', () => {
    const hosts = [{ name: 'a', address: '10.0.0.1' }, { name: 'b', address: 'fd00::2' }];
    const expanded = expandHosts({ hosts, count: 5, firstAddress: '10.9.9.9' }, PATTERN);
    expect(expanded).toEqual(hosts);
    expect(expanded).not.toBe(hosts);
  });

  test.each<[string, HostSetSpec]>([
    ['no count', { firstAddress: '10.0.1.10' }],
    ['a count of zero', { count: 0, firstAddress: '10.0.1.10' }],
    ['a negative count', { count: -2, firstAddress: '10.0.1.10' }],
    ['a fractional count', { count: 1.5, firstAddress: '10.0.1.10' }],
    ['no first address', { count: 3 }],
    ['an IPv6 first address', { count: 3, firstAddress: 'fd00::10' }],
    ['a short IPv4 first address', { count: 3, firstAddress: '10.1' }],
  ])('gives no host for %s', (_, set) => {
    expect(expandHosts(set, PATTERN)).toEqual([]);
  });

  test('replaces every {index} of the pattern', () => {
    expect(expandHosts({ count: 1, firstAddress: '10.0.0.1', hostnamePattern: 'rack{index}-node{index}' }, PATTERN)[0].name).toBe('rack1-node1');
  });
});

describe('checkHostSet', () => {
  test('accepts counted hosts and listed ones, IPv6 and dotted names included', () => {
    expect(hostSetProblems({ count: 3, firstAddress: '10.0.1.10' })).toEqual([]);
    expect(hostSetProblems({ count: 1, firstAddress: '10.0.1.10', hostnamePattern: 'node-{index}.rack-2' })).toEqual([]);
    expect(hostSetProblems({ hosts: [{ name: 'node-1.rack-2', address: '10.0.1.10' }, { name: 'node-2', address: 'fd00:10::2' }] })).toEqual([]);
  });

  test('wants hosts or a count, not both', () => {
    expect(hostSetProblems({ hosts: [{ name: 'a', address: '10.0.0.1' }], count: 1 })).toEqual(['workers.count = 1: give either hosts or a count, not both']);
  });

  test('wants at least one listed host', () => {
    expect(hostSetProblems({ hosts: [] })).toEqual(['workers.hosts = []: a group needs at least one host']);
  });

  test('wants a count and a first address when no hosts are listed', () => {
    expect(hostSetProblems({})).toEqual([
      'workers.count = (missing): must be a whole number of hosts, one or more, when no hosts are listed',
      'workers.firstAddress = (missing): must be the IPv4 address of the first counted host, such as 10.0.1.10',
    ]);
  });

  test.each([[0], [-1], [2.5]])('refuses the count %p', count => {
    expect(hostSetProblems({ count, firstAddress: '10.0.1.10' })).toEqual([
      `workers.count = ${count}: must be a whole number of hosts, one or more, when no hosts are listed`,
    ]);
  });

  test.each([['10.0.1'], ['10.0.1.256'], ['010.0.1.10'], ['fd00::10'], ['host-1'], ['10.0.1.10/24']])('refuses the first address %p', address => {
    expect(hostSetProblems({ count: 2, firstAddress: address })).toEqual([
      `workers.firstAddress = "${address}": must be the IPv4 address of the first counted host, such as 10.0.1.10`,
    ]);
  });

  test('wants {index} in a naming pattern', () => {
    expect(hostSetProblems({ count: 2, firstAddress: '10.0.1.10', hostnamePattern: 'worker' })).toEqual([
      'workers.hostnamePattern = "worker": must contain {index}, or every host gets the same name',
    ]);
  });

  test('reports a pattern that gives invalid node names once, with the first name', () => {
    expect(hostSetProblems({ count: 3, firstAddress: '10.0.1.10', hostnamePattern: 'Worker_{index}' })).toEqual([
      `workers.hostnamePattern = "Worker_{index}": gives "Worker_1", but ${NAME_RULE}`,
    ]);
  });

  test('reports both faults of a pattern without {index} that gives an invalid name', () => {
    expect(hostSetProblems({ count: 1, firstAddress: '10.0.1.10', hostnamePattern: 'Worker' })).toEqual([
      'workers.hostnamePattern = "Worker": must contain {index}, or every host gets the same name',
      `workers.hostnamePattern = "Worker": gives "Worker", but ${NAME_RULE}`,
    ]);
  });

  test('leaves the pattern\'s names unchecked while no host could be counted', () => {
    expect(hostSetProblems({ count: 0, firstAddress: '10.0.1.10', hostnamePattern: 'Worker_{index}' })).toEqual([
      'workers.count = 0: must be a whole number of hosts, one or more, when no hosts are listed',
    ]);
  });

  test('leaves the default pattern to the cluster name\'s own check', () => {
    expect(hostSetProblems({ count: 1, firstAddress: '10.0.1.10' }, 'Test_Cluster-workers-{index}')).toEqual([]);
  });

  test('checks each listed host\'s name and address', () => {
    expect(hostSetProblems({ hosts: [
      { name: 'Node_1', address: '10.0.1.10' },
      { name: 'node-2', address: '10.0.1' },
      { name: 'node-3.', address: '10.0.1.256' },
      { name: 'node-4', address: 'node-4.example.com' },
      { name: '', address: 'fd00::zz' },
    ] })).toEqual([
      `workers.hosts[0].name = "Node_1": ${NAME_RULE}`,
      'workers.hosts[1].address = "10.0.1": must be an IPv4 or IPv6 address',
      `workers.hosts[2].name = "node-3.": ${NAME_RULE}`,
      'workers.hosts[2].address = "10.0.1.256": must be an IPv4 or IPv6 address',
      'workers.hosts[3].address = "node-4.example.com": must be an IPv4 or IPv6 address',
      `workers.hosts[4].name = "": ${NAME_RULE}`,
      'workers.hosts[4].address = "fd00::zz": must be an IPv4 or IPv6 address',
    ]);
  });

  test('refuses a node name longer than 253 characters', () => {
    const name = Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.');
    expect(name).toHaveLength(255);
    expect(hostSetProblems({ hosts: [{ name, address: '10.0.0.1' }] })).toEqual([`workers.hosts[0].name = "${name}": ${NAME_RULE}`]);
  });

  test('leaves duplicates to the cluster, which sees every group', () => {
    expect(hostSetProblems({ hosts: [{ name: 'a', address: '10.0.0.1' }, { name: 'a', address: '10.0.0.1' }] })).toEqual([]);
    expect(hostSetProblems({ count: 2, firstAddress: '10.0.1.10', hostnamePattern: 'same' })).toEqual([
      'workers.hostnamePattern = "same": must contain {index}, or every host gets the same name',
    ]);
  });

  test('refuses a count that runs past the last IPv4 address', () => {
    const set = { count: 3, firstAddress: '255.255.255.254' };
    expect(expandHosts(set, PATTERN).map(h => h.address)).not.toContain('0.0.0.0');
    expect(hostSetProblems(set)).toEqual(['workers.count = 3: runs past the last IPv4 address from 255.255.255.254']);
  });

  test('reports through a pool, with its construct path and field', () => {
    expect(problemsOf(chart => new NodePool(chart, 'pool', {
      ...generalPool({ count: undefined, hosts: [{ name: 'w_1', address: '10.0.1.10' }] }), clusterName: 'test', field: 'nodePools[0]',
    }))).toEqual([`[test/pool] nodePools[0].hosts[0].name = "w_1": ${NAME_RULE}`]);
  });
});

describe('duplicate hosts, across the cluster', () => {
  function clusterProblems(overrides: Partial<ClusterSpec>): string[] {
    return problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec(overrides)));
  }

  test('a name listed twice in one pool', () => {
    expect(clusterProblems({ nodePools: [generalPool({ count: undefined, hosts: [
      { name: 'w-1', address: '10.0.1.10' }, { name: 'w-1', address: '10.0.1.11' },
    ] })] })).toEqual(['[test/cluster] nodePools[0].hosts[1].name = "w-1": is already the name of nodePools[0].hosts[0]: node names must be unique in the cluster']);
  });

  test('an address listed twice in one pool', () => {
    expect(clusterProblems({ nodePools: [generalPool({ count: undefined, hosts: [
      { name: 'w-1', address: '10.0.1.10' }, { name: 'w-2', address: '10.0.1.10' },
    ] })] })).toEqual(['[test/cluster] nodePools[0].hosts[1].address = "10.0.1.10": is already the address of nodePools[0].hosts[0]']);
  });

  test('a pattern without {index} names every counted host alike', () => {
    expect(clusterProblems({ nodePools: [generalPool({ count: 2, hostnamePattern: 'worker' })] })).toEqual([
      '[test/cluster] nodePools[0].hosts[1].name = "worker": is already the name of nodePools[0].hosts[0]: node names must be unique in the cluster',
      '[test/cluster/node-pools/0] nodePools[0].hostnamePattern = "worker": must contain {index}, or every host gets the same name',
    ]);
  });

  test('a pool counted into the control plane\'s addresses', () => {
    expect(clusterProblems({ nodePools: [generalPool({ count: 1, firstAddress: '10.0.0.10' })] })).toEqual([
      '[test/cluster] nodePools[0].hosts[0].address = "10.0.0.10": is already the address of controlPlane.hosts[0]',
    ]);
  });
});
