import { ImageRegistry, isImageRegistry, splitImageReference } from '../../../constructs/core/image-registry';

describe('ImageRegistry', () => {
  const registry = new ImageRegistry('registry.internal:5000');

  test.each([
    ['registry.k8s.io/pause:3.10.2', 'registry.internal:5000/pause:3.10.2'],
    ['registry.k8s.io/coredns/coredns:v1.12.1', 'registry.internal:5000/coredns/coredns:v1.12.1'],
    ['ghcr.io/kube-vip/kube-vip:v1.0.3', 'registry.internal:5000/kube-vip/kube-vip:v1.0.3'],
    ['quay.io/calico/ctl@sha256:' + 'a'.repeat(64), 'registry.internal:5000/calico/ctl@sha256:' + 'a'.repeat(64)],
    // Docker Hub's short names, filled in as containerd reads them.
    ['nginx/nginx-ingress', 'registry.internal:5000/nginx/nginx-ingress'],
    ['busybox:1.37', 'registry.internal:5000/library/busybox:1.37'],
    ['docker.io/library/busybox:1.37', 'registry.internal:5000/library/busybox:1.37'],
    // One image however Docker Hub is named: official images live under library/.
    ['docker.io/busybox:1.37', 'registry.internal:5000/library/busybox:1.37'],
    ['index.docker.io/busybox:1.37', 'registry.internal:5000/library/busybox:1.37'],
    ['registry-1.docker.io/grafana/grafana:12.1.0', 'registry.internal:5000/grafana/grafana:12.1.0'],
    ['localhost:5000/team/app:1.0', 'registry.internal:5000/team/app:1.0'],
  ])('moves %s to %s, path and tag kept', (reference, moved) => {
    expect(registry.image(reference)).toBe(moved);
  });

  test('puts images under the registry\'s path, and leaves those already on its host alone', () => {
    const harbor = new ImageRegistry('harbor.example.com/k8s');
    expect(harbor.host).toBe('harbor.example.com');
    expect(harbor.image('registry.k8s.io/pause:3.10.2')).toBe('harbor.example.com/k8s/pause:3.10.2');
    expect(harbor.image('harbor.example.com/payments/api:2.1.0')).toBe('harbor.example.com/payments/api:2.1.0');
    expect(registry.image('registry.internal:5000/team/app:1.0')).toBe('registry.internal:5000/team/app:1.0');
    // Another port is another registry.
    expect(registry.image('registry.internal:5001/team/app:1.0')).toBe('registry.internal:5000/team/app:1.0');
  });

  test('splits a reference into its registry host and the rest', () => {
    expect(splitImageReference('registry.k8s.io/pause:3.10.2')).toEqual({ host: 'registry.k8s.io', path: 'pause:3.10.2' });
    expect(splitImageReference('[fd00::1]:5000/pause:3.10.2')).toEqual({ host: '[fd00::1]:5000', path: 'pause:3.10.2' });
    expect(splitImageReference('grafana/grafana:12.1.0')).toEqual({ host: 'docker.io', path: 'grafana/grafana:12.1.0' });
  });
});

describe('isImageRegistry', () => {
  test.each(['registry.internal', 'registry.internal:5000', 'harbor.example.com/k8s', 'harbor.example.com/k8s/mirror', 'localhost:5000', '[fd00::1]:5000', 'registry:5000'])(
    'accepts %s', registry => expect(isImageRegistry(registry)).toBe(true));

  test.each([
    'https://registry.internal', 'registry.internal/', 'Registry.Internal', 'registry', 'registry/k8s', 'registry.internal/K8s',
    'registry.internal//k8s', 'registry.internal/k8s:v1', '', 'registry internal', 42, undefined,
  ])('refuses %p', registry => expect(isImageRegistry(registry)).toBe(false));
});
