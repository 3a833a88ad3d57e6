import { TenantNetworkPolicies } from '../../../constructs';
import { findObject, namesOf, synthObjects } from '../../helpers/objects';

describe('TenantNetworkPolicies', () => {
  const objects = synthObjects(chart => new TenantNetworkPolicies(chart, 'network', {
    namespace: 'web',
    ingressFromNamespaces: ['nginx-entry'],
    egress: [{ cidr: '10.50.0.0/24', ports: [{ port: 5432 }, { port: 53, protocol: 'UDP' }] }, { cidr: '192.0.2.0/24' }],
  }));

  test('denies all traffic of every pod in both directions', () => {
    const deny = findObject(objects, 'NetworkPolicy', 'default-deny', 'web');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('allows traffic between pods of the namespace', () => {
    const same = findObject(objects, 'NetworkPolicy', 'allow-same-namespace', 'web');
    expect(same.spec.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
    expect(same.spec.egress).toEqual([{ to: [{ podSelector: {} }] }]);
  });

  test('allows DNS queries to the cluster DNS pods only, over UDP and TCP', () => {
    const dns = findObject(objects, 'NetworkPolicy', 'allow-dns', 'web');
    expect(dns.spec.policyTypes).toEqual(['Egress']);
    expect(dns.spec.egress).toEqual([{
      to: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      }],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    }]);
  });

  test('allows ingress from the entry namespace', () => {
    const entry = findObject(objects, 'NetworkPolicy', 'allow-from-nginx-entry', 'web');
    expect(entry.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'nginx-entry' } } }] }],
    });
  });

  test('allows egress to the named networks and ports', () => {
    const egress = findObject(objects, 'NetworkPolicy', 'allow-egress', 'web');
    expect(egress.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.50.0.0/24' } }], ports: [{ port: 5432, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
      { to: [{ ipBlock: { cidr: '192.0.2.0/24' } }] },
    ]);
  });

  test('uses the DNS servers it is given', () => {
    const custom = synthObjects(chart => new TenantNetworkPolicies(chart, 'network', {
      namespace: 'web', dns: { namespace: 'dns', podLabels: { app: 'coredns' } },
    }));
    expect(findObject(custom, 'NetworkPolicy', 'allow-dns').spec.egress[0].to[0]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } },
      podSelector: { matchLabels: { app: 'coredns' } },
    });
  });

  test('renders only the isolation when nothing else is allowed', () => {
    const minimal = synthObjects(chart => new TenantNetworkPolicies(chart, 'network', { namespace: 'web' }));
    expect(namesOf(minimal, 'NetworkPolicy')).toEqual(['allow-dns', 'allow-same-namespace', 'default-deny']);
  });
});
