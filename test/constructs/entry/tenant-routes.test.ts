import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { isDns1123Label } from '../../../constructs/core/names';
import { EntryController } from '../../../constructs/entry/nginx-entry';
import { hostIngressName, RouteSpec, routeName, strippedPath, TenantRoutes, TenantRoutesProps } from '../../../constructs/entry/tenant-routes';
import { KubeObject } from '../../../synth/manifest-layout';
import { findObject, namesOf, problemsOf, synthObjects } from '../../helpers/objects';

function routesOf(controller: EntryController, routes: RouteSpec[], props: Partial<TenantRoutesProps> = {}): KubeObject[] {
  return synthObjects(chart => new TenantRoutes(chart, 'routes', { namespace: 'shop', ingressClassName: 'nginx', controller, routes, ...props }));
}

function routeProblems(routes: RouteSpec[]): string[] {
  return problemsOf(chart => new TenantRoutes(chart, 'routes', { namespace: 'shop', ingressClassName: 'nginx', controller: 'nginx', routes }));
}

/**
 * What the backend receives for `uri`, as nginx rewrites it: the Ingress path
 * is a regular expression anchored at the start of the URI (`~`, or `~*`
 * without case with ingress-nginx), and a match replaces the whole URI with
 * the rewrite target, `$n` standing for the n-th group. Undefined when the
 * location does not match.
 */
function rewrite(ingress: any, uri: string, flags = ''): string | undefined {
  const annotations = ingress.metadata.annotations;
  const target = annotations['nginx.org/rewrite-target'] ?? annotations['nginx.ingress.kubernetes.io/rewrite-target'];
  const match = new RegExp(`^${ingress.spec.rules[0].http.paths[0].path}`, flags).exec(uri);
  return match ? target.replace(/\$(\d)/g, (_: string, group: string) => match[Number(group)] ?? '') : undefined;
}

const web: RouteSpec = { host: 'shop.example.com', service: 'web', port: 80 };
const api: RouteSpec = { host: 'api.example.com', pathPrefix: '/api', service: 'api', port: 'http', stripPrefix: true };

describe('TenantRoutes', () => {
  describe('a route without stripping', () => {
    const ingress = findObject(routesOf('nginx', [{ ...web, tls: { secretName: 'shop-tls' } }]), 'Ingress', 'route-shop-example-com', 'shop');

    test('is an Ingress of the entry\'s class in the tenant\'s namespace, without annotations', () => {
      expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
      expect(ingress.metadata).toEqual({ name: 'route-shop-example-com', namespace: 'shop' });
      expect(ingress.spec.ingressClassName).toBe('nginx');
    });

    test('sends the host\'s path prefix to the Service port', () => {
      expect(ingress.spec.rules).toEqual([{
        host: 'shop.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] },
      }]);
    });

    test('terminates TLS for the host with the Secret', () => {
      expect(ingress.spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 'shop-tls' }]);
    });

    test('has no TLS unless asked', () => {
      expect(findObject(routesOf('nginx', [web]), 'Ingress', 'route-shop-example-com').spec.tls).toBeUndefined();
    });

    test('names a port by its name', () => {
      const named = findObject(routesOf('nginx', [{ ...web, pathPrefix: '/docs', port: 'http' }]), 'Ingress', 'route-shop-example-com-docs');
      expect(named.spec.rules[0].http.paths[0]).toEqual({ path: '/docs', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } });
    });
  });

  describe.each<[EntryController, Record<string, string>, string]>([
    ['nginx', { 'nginx.org/path-regex': 'case_sensitive', 'nginx.org/rewrite-target': '/$2' }, ''],
    ['ingress-nginx', { 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' }, 'i'],
  ])('a route that strips its prefix with %s', (controller, annotations, flags) => {
    const ingress = findObject(routesOf(controller, [api]), 'Ingress', 'route-api-example-com-api', 'shop');

    test('matches the prefix as a regular expression and rewrites to what follows it', () => {
      expect(ingress.metadata.annotations).toEqual(annotations);
      expect(ingress.spec.rules[0].http.paths).toEqual([{
        path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific', backend: { service: { name: 'api', port: { name: 'http' } } },
      }]);
    });

    test.each([
      ['/api/v1/pools', '/v1/pools'],
      ['/api', '/'],
      ['/api/', '/'],
      ['/api/v1/', '/v1/'],
    ])('sends %s to the backend as %s', (uri, expected) => {
      expect(rewrite(ingress, uri, flags)).toBe(expected);
    });

    test.each(['/apiary', '/web/api/v1'])('does not match %s', uri => {
      expect(rewrite(ingress, uri, flags)).toBeUndefined();
    });

    test('strips a nested prefix whole', () => {
      const nested = findObject(routesOf(controller, [{ ...api, pathPrefix: '/api/v1' }]), 'Ingress', 'route-api-example-com-api-v1');
      expect(rewrite(nested, '/api/v1/pools', flags)).toBe('/pools');
      expect(rewrite(nested, '/api/v2/pools', flags)).toBeUndefined();
    });

    test('matches a dot in the prefix literally', () => {
      const dotted = findObject(routesOf(controller, [{ ...api, pathPrefix: '/v1.0' }]), 'Ingress', 'route-api-example-com-v1-0');
      expect(dotted.spec.rules[0].http.paths[0].path).toBe('/v1\\.0(/|$)(.*)');
      expect(rewrite(dotted, '/v1.0/pools', flags)).toBe('/pools');
      expect(rewrite(dotted, '/v1x0/pools', flags)).toBeUndefined();
    });
  });

  test('builds the stripping path from the prefix', () => {
    expect(strippedPath('/api')).toBe('/api(/|$)(.*)');
    expect(strippedPath('/.well-known')).toBe('/\\.well-known(/|$)(.*)');
  });

  describe('several routes of one host', () => {
    const routes: RouteSpec[] = [
      { ...web, tls: { secretName: 'shop-tls' } },
      { host: 'shop.example.com', pathPrefix: '/api', service: 'api', port: 8080, stripPrefix: true, tls: { secretName: 'shop-tls' } },
    ];

    test('are Ingresses of their own with ingress-nginx, which merges a host\'s Ingresses itself', () => {
      const objects = routesOf('ingress-nginx', routes);
      expect(namesOf(objects, 'Ingress')).toEqual(['route-shop-example-com', 'route-shop-example-com-api']);
      expect(findObject(objects, 'Ingress', 'route-shop-example-com').spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 'shop-tls' }]);
      expect(findObject(objects, 'Ingress', 'route-shop-example-com-api').spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 'shop-tls' }]);
    });

    describe('with F5 NGINX Ingress Controller, which serves a host from one Ingress unless they are mergeable', () => {
      const objects = routesOf('nginx', routes);

      test('get a master Ingress holding the host and its TLS, without paths', () => {
        expect(namesOf(objects, 'Ingress')).toEqual(['host-shop-example-com', 'route-shop-example-com', 'route-shop-example-com-api']);
        const master = findObject(objects, 'Ingress', 'host-shop-example-com', 'shop');
        expect(master.metadata.annotations).toEqual({ 'nginx.org/mergeable-ingress-type': 'master' });
        expect(master.spec).toEqual({
          ingressClassName: 'nginx',
          rules: [{ host: 'shop.example.com' }],
          tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
        });
      });

      test('are its minions, each with its path and annotations and no TLS', () => {
        const root = findObject(objects, 'Ingress', 'route-shop-example-com');
        expect(root.metadata.annotations).toEqual({ 'nginx.org/mergeable-ingress-type': 'minion' });
        expect(root.spec.tls).toBeUndefined();
        const stripped = findObject(objects, 'Ingress', 'route-shop-example-com-api');
        expect(stripped.metadata.annotations).toEqual({
          'nginx.org/mergeable-ingress-type': 'minion', 'nginx.org/path-regex': 'case_sensitive', 'nginx.org/rewrite-target': '/$2',
        });
        expect(stripped.spec.tls).toBeUndefined();
        expect(stripped.spec.rules[0].http.paths[0].path).toBe('/api(/|$)(.*)');
      });

      test('get one master per host when hosts interleave, each with the TLS of its host', () => {
        const other = { ...api, stripPrefix: false, tls: { secretName: 'api-tls' } };
        const interleaved = routesOf('nginx', [routes[0], other, routes[1], { ...other, pathPrefix: '/v2' }]);
        const masters = interleaved.filter(o => o.kind === 'Ingress' && (o as any).metadata.annotations?.['nginx.org/mergeable-ingress-type'] === 'master');
        expect(masters.map((o: any) => [o.metadata.name, o.spec.tls[0].secretName])).toEqual([
          ['host-shop-example-com', 'shop-tls'], ['host-api-example-com', 'api-tls'],
        ]);
        expect(namesOf(interleaved, 'Ingress')).toHaveLength(6);
      });

      test('leave a host with one route a plain Ingress', () => {
        const mixed = routesOf('nginx', [...routes, api]);
        expect(findObject(mixed, 'Ingress', 'route-api-example-com-api').metadata.annotations).not.toHaveProperty(['nginx.org/mergeable-ingress-type']);
        expect(namesOf(mixed, 'Ingress')).not.toContain('host-api-example-com');
      });
    });
  });

  describe('names', () => {
    test('a route after its host and path', () => {
      expect(routeName(web)).toBe('route-shop-example-com');
      expect(routeName({ ...web, pathPrefix: '/api/v1' })).toBe('route-shop-example-com-api-v1');
      expect(routeName({ ...web, pathPrefix: '/Docs_2' })).toBe('route-shop-example-com-docs-2');
      expect(routeName({ ...web, host: '*.shop.example.com' })).toBe('route-wildcard-shop-example-com');
    });

    test('a long route with a stable hash, within 63 characters', () => {
      const long: RouteSpec = { ...web, host: 'storefront.customer-facing.eu-west-1.shop.example.com', pathPrefix: '/api/v1/orders' };
      const name = routeName(long);
      // The suffix is the start of `printf '%s' '<host> <path>' | sha256sum`.
      expect(name).toBe('route-storefront-customer-facing-eu-west-1-shop-exampl-6cacac12');
      expect(name).toHaveLength(63);
      expect(isDns1123Label(name)).toBe(true);
      expect(routeName({ ...long, pathPrefix: '/api/v1/invoices' })).not.toBe(name);
    });

    test('the master Ingress of a host', () => {
      expect(hostIngressName('shop.example.com')).toBe('host-shop-example-com');
      expect(hostIngressName('*.shop.example.com')).toBe('host-wildcard-shop-example-com');
    });

    test('routes whose readable names coincide apart, both with a hash', () => {
      const objects = routesOf('ingress-nginx', [{ ...web, pathPrefix: '/a-b' }, { ...web, pathPrefix: '/a_b' }, { ...web, pathPrefix: '/c' }]);
      const names = namesOf(objects, 'Ingress');
      expect(names).toHaveLength(3);
      expect(names).toContain('route-shop-example-com-c');
      expect(names.filter(name => /^route-shop-example-com-a-b-[0-9a-f]{8}$/.test(name))).toHaveLength(2);
    });
  });

  test('renders Ingresses that are valid against the Kubernetes schema', () => {
    const objects = [
      ...routesOf('nginx', [{ ...web, tls: { secretName: 'shop-tls' } }, { ...web, pathPrefix: '/api', port: 'http', stripPrefix: true, tls: { secretName: 'shop-tls' } }, api]),
      ...routesOf('ingress-nginx', [{ ...web, host: '*.example.com' }, api]),
    ];
    expect(objects).toHaveLength(6);
    for (const object of objects) {
      expect(() => new Ingress(object as any).validate()).not.toThrow();
    }
  });

  test('accepts valid routes', () => {
    expect(routeProblems([
      web,
      { host: '*.example.com', pathPrefix: '/.well-known', service: 'acme', port: 'http-01' },
      { ...web, pathPrefix: '/api/v1', stripPrefix: true },
      api,
    ])).toEqual([]);
  });

  describe('refuses', () => {
    test.each<[string, Partial<RouteSpec>, string]>([
      ['a host that is not a DNS name', { host: 'Shop.example.com' },
        'routes[0].host = "Shop.example.com": must be a DNS-1123 subdomain such as shop.example.com, optionally with a "*." wildcard first, and not an IP address'],
      ['a host with an underscore', { host: 'shop_1.example.com' }, 'routes[0].host = "shop_1.example.com": must be a DNS-1123 subdomain'],
      ['a wildcard inside the host', { host: 'shop.*.example.com' }, 'routes[0].host = "shop.*.example.com": must be a DNS-1123 subdomain'],
      ['an IP address as host', { host: '192.0.2.10' }, 'routes[0].host = "192.0.2.10": must be a DNS-1123 subdomain'],
      ['a path without a leading slash', { pathPrefix: 'api' }, 'routes[0].pathPrefix = "api": must start with "/"'],
      ['a path with a regex metacharacter', { pathPrefix: '/api/v[12]' },
        'routes[0].pathPrefix = "/api/v[12]": must not contain the regex metacharacters ^ $ * + ? ( ) [ ] { } | \\: a stripped prefix becomes a regular expression'],
      ['a path with a query', { pathPrefix: '/search?q' }, 'routes[0].pathPrefix = "/search?q": must not contain the regex metacharacters'],
      ['a path with a space', { pathPrefix: '/my docs' },
        'routes[0].pathPrefix = "/my docs": may hold only letters, digits, "/" and the path characters - . _ ~ % ! & \' , ; = : @'],
      ['a path with a trailing slash', { pathPrefix: '/api/' },
        'routes[0].pathPrefix = "/api/": must not end with "/": the prefix matches whole segments, so "/api" already matches "/api/…"'],
      ['a path with an empty segment', { pathPrefix: '/api//v1' },
        'routes[0].pathPrefix = "/api//v1": must not contain empty, "." or ".." segments, which the API server refuses'],
      ['a path with a ".." segment', { pathPrefix: '/api/../admin' }, 'routes[0].pathPrefix = "/api/../admin": must not contain empty, "." or ".." segments'],
      ['stripping the root path', { stripPrefix: true }, 'routes[0].stripPrefix = true: the root path "/" has no prefix to strip'],
      ['a Service name that is not a DNS label', { service: 'Web_Frontend' },
        'routes[0].service = "Web_Frontend": must be a Service name: a DNS-1123 label of at most 63 characters of a-z, 0-9 and \'-\''],
      ['port zero', { port: 0 }, 'routes[0].port = 0: must be a port number from 1 to 65535'],
      ['a port above 65535', { port: 65536 }, 'routes[0].port = 65536: must be a port number from 1 to 65535'],
      ['a port that is not whole', { port: 80.5 }, 'routes[0].port = 80.5: must be a port number from 1 to 65535'],
      ['a port name with an underscore', { port: 'http_alt' },
        'routes[0].port = "http_alt": must be a port name: an IANA service name of at most 15 characters of a-z, 0-9 and \'-\', with a letter, no "--" and no \'-\' at either end'],
      ['a port name longer than 15 characters', { port: 'http-metrics-port' }, 'routes[0].port = "http-metrics-port": must be a port name'],
      ['a port name without a letter', { port: '8080' }, 'routes[0].port = "8080": must be a port name'],
      ['a port name with a double dash', { port: 'http--alt' }, 'routes[0].port = "http--alt": must be a port name'],
      ['a TLS Secret name that is not a DNS name', { tls: { secretName: 'Shop TLS' } }, 'routes[0].tls.secretName = "Shop TLS": must be a DNS-1123 subdomain'],
    ])('%s', (_, overrides, message) => {
      const problems = routeProblems([{ ...web, ...overrides }]);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`[test/routes] ${message}`);
    });

    test('two routes of one host and path', () => {
      expect(routeProblems([web, { ...web, pathPrefix: '/', service: 'other' }])).toEqual([
        '[test/routes] routes[1] = "shop.example.com/": duplicates routes[0]: a host and path lead to one Service',
      ]);
    });

    test('routes of one host with different TLS', () => {
      expect(routeProblems([{ ...web, tls: { secretName: 'shop-tls' } }, { ...web, pathPrefix: '/api' }])).toEqual([
        '[test/routes] routes[1].tls = (missing): must be the TLS of routes[0], which has the same host: a host is served with one certificate',
      ]);
    });
  });
});
