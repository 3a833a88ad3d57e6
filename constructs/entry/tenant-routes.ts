import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Checks, validateWith } from '../core/checks';
import { isDns1123Label, isDns1123Subdomain } from '../core/names';
import { EntryController, routeAnnotations } from './nginx-entry';

/** An HTTP route from the cluster's entry to one of a tenant's Services. */
export interface RouteSpec {
  /** Host name of the route, such as `shop.example.com`; `*.example.com` matches one label. */
  readonly host: string;
  /**
   * Path prefix of the route, matched segment by segment: `/api` matches `/api` and `/api/v1`, not `/apiary`.
   * @default '/'
   */
  readonly pathPrefix?: string;
  /** Name of the Service in the tenant's namespace. */
  readonly service: string;
  /** Port of the Service: a number, or a port's name. */
  readonly port: number | string;
  /**
   * Strip the prefix before passing the request on: with prefix `/api`, `/api/v1/pools` reaches the Service as `/v1/pools`.
   * @default false
   */
  readonly stripPrefix?: boolean;
  /**
   * Serve the host over TLS with the certificate in this Secret of the tenant's namespace.
   * @default plain HTTP only
   */
  readonly tls?: { readonly secretName: string };
}

export interface TenantRoutesProps {
  /** The tenant's namespace, where the Ingresses and their Services live. */
  readonly namespace: string;
  /** The entry's IngressClass. */
  readonly ingressClassName: string;
  /** The entry's controller, whose annotations strip prefixes. */
  readonly controller: EntryController;
  readonly routes: readonly RouteSpec[];
}

/** Kubernetes object names are at most 63 characters here, so that they fit labels too. */
const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 8;
const MERGEABLE = 'nginx.org/mergeable-ingress-type';

/**
 * A tenant's routes, one Ingress each, named by `routeName`. Stripping a
 * prefix makes the path a regular expression, `<prefix>(/|$)(.*)`, rewritten
 * to `/$2`; with ingress-nginx, one such route makes every path of its host a
 * case-insensitive regular expression, whichever Ingress declares it.
 *
 * F5's controller serves a host from one Ingress only, the oldest, unless
 * they are mergeable: with controller `nginx`, a host with several routes
 * gets a master Ingress (`host-<host>`) holding the host and its TLS, and the
 * routes' Ingresses become its minions, which hold no TLS.
 */
export class TenantRoutes extends Construct {
  /** The route Ingresses' names, in the order of the routes. */
  public readonly names: readonly string[];

  constructor(scope: Construct, id: string, props: TenantRoutesProps) {
    super(scope, id);
    const routes = props.routes;
    this.names = routeNames(routes);
    const firstOfRoute = firstIndexes(routes, routeKey);
    const firstOfHost = firstIndexes(routes, route => route.host);
    // The hosts with several routes, each with the index of its first route.
    const merged = new Map<string, number>();
    if (props.controller === 'nginx') {
      routes.forEach((route, i) => {
        if (firstOfHost[i] !== i) merged.set(route.host, firstOfHost[i]);
      });
    }
    // Ids by place in the spec, not by host: a construct's children are an object keyed by id, and a first id
    // that differs per tenant gives V8's empty-object hidden class a transition per tenant, until it holds no more;
    // past some 1,500 tenants, every object built key by key (the rendered JSON) then gets a hidden class of its own.
    const ingress = (id: string, name: string, annotations: Record<string, string>, spec: k8s.IngressSpec): void => {
      new k8s.KubeIngress(this, id, {
        metadata: { name, namespace: props.namespace, ...Object.keys(annotations).length > 0 ? { annotations } : {} },
        spec: { ingressClassName: props.ingressClassName, ...spec },
      });
    };
    const tls = (route: RouteSpec): Partial<k8s.IngressSpec> =>
      route.tls ? { tls: [{ hosts: [route.host], secretName: route.tls.secretName }] } : {};

    for (const [host, first] of merged) {
      ingress(`routes[${first}]-host`, hostIngressName(host), { [MERGEABLE]: 'master' }, { rules: [{ host }], ...tls(routes[first]) });
    }
    routes.forEach((route, i) => {
      // A duplicate is reported by the validation; rendering it would only clash.
      if (firstOfRoute[i] !== i) return;
      const prefix = route.pathPrefix ?? '/';
      const strip = route.stripPrefix === true;
      const minion = merged.has(route.host);
      ingress(`routes[${i}]`, this.names[i], { ...minion ? { [MERGEABLE]: 'minion' } : {}, ...routeAnnotations(props.controller, route) }, {
        rules: [{
          host: route.host,
          http: {
            paths: [{
              path: strip ? strippedPath(prefix) : prefix,
              // A regular expression is the controller's own kind of path.
              pathType: strip ? 'ImplementationSpecific' : 'Prefix',
              backend: { service: { name: route.service, port: typeof route.port === 'number' ? { number: route.port } : { name: route.port } } },
            }],
          },
        }],
        ...minion ? {} : tls(route),
      });
    });
    validateWith(this, checks => checkRoutes(checks, routes));
  }
}

/**
 * The path regular expression that strips `prefix`: the prefix, then `/` or
 * the end, then the rest, which the rewrite target `/$2` keeps. Dots are
 * escaped; prefixes may hold no other metacharacter.
 */
export function strippedPath(prefix: string): string {
  return `${prefix.replace(/\./g, '\\.')}(/|$)(.*)`;
}

/**
 * The Ingress name of a route, from its host and path, so that it stays the
 * same as other routes come and go: `route-<host>-<path>`, with every run of
 * characters outside a-z and 0-9 as one dash, `*.` as `wildcard-`, and
 * nothing for the root path (`shop.example.com` `/api` is
 * `route-shop-example-com-api`). A name longer than 63 characters is cut and
 * ends in `-` and the first 8 hex digits of the SHA-256 of `<host> <path>`.
 */
export function routeName(route: RouteSpec): string {
  const path = route.pathPrefix ?? '/';
  return boundedName(['route', slug(route.host.replace(/^\*\./, 'wildcard.')), slug(path)], `${route.host} ${path}`);
}

/** The name of the mergeable master Ingress of a host: `host-<host>`, bounded as route names are. */
export function hostIngressName(host: string): string {
  return boundedName(['host', slug(host.replace(/^\*\./, 'wildcard.'))], host);
}

/**
 * The route names of a tenant. Distinct routes whose readable names coincide
 * (`/a-b` and `/a_b`) both get the hash suffix rather than one Ingress
 * replacing the other.
 */
function routeNames(routes: readonly RouteSpec[]): string[] {
  const names = routes.map(routeName);
  // The distinct routes behind each readable name.
  const routesNamed = new Map<string, Set<string>>();
  routes.forEach((route, i) => routesNamed.set(names[i], (routesNamed.get(names[i]) ?? new Set<string>()).add(routeKey(route))));
  return names.map((name, i) => (routesNamed.get(name)!.size > 1 ? withHash(name, routeKey(routes[i])) : name));
}

/** What makes a route distinct: its host and path prefix. */
function routeKey(route: RouteSpec): string {
  return `${route.host} ${route.pathPrefix ?? '/'}`;
}

/** For each item, the index of the first item with the same key: its own, unless it repeats an earlier one. */
function firstIndexes<T>(items: readonly T[], key: (item: T) => string): number[] {
  const first = new Map<string, number>();
  return items.map((item, i) => {
    const k = key(item);
    if (!first.has(k)) first.set(k, i);
    return first.get(k)!;
  });
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

function boundedName(parts: string[], key: string): string {
  const name = parts.filter(part => part !== '').join('-');
  return name.length <= MAX_NAME_LENGTH ? name : withHash(name, key);
}

function withHash(name: string, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, HASH_LENGTH);
  return `${name.slice(0, MAX_NAME_LENGTH - HASH_LENGTH - 1).replace(/-+$/, '')}-${hash}`;
}

/** Characters a regular expression reads as more than themselves; `.` is escaped instead. */
const REGEX_METACHARACTERS = /[\^$*+?()[\]{}|\\]/;
/** RFC 3986 path characters, without the regex metacharacters. */
const PATH_CHARACTERS = /^[A-Za-z0-9\-._~%!&',;=:@/]*$/;
/** An IANA service name, as Kubernetes accepts it for a named port. */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkRoutes(checks: Checks, routes: readonly RouteSpec[]): void {
  const firstOfRoute = firstIndexes(routes, routeKey);
  const firstOfHost = firstIndexes(routes, route => route.host);
  routes.forEach((route, i) => {
    const field = `routes[${i}]`;
    const prefix = route.pathPrefix ?? '/';
    const host = String(route.host).replace(/^\*\./, '');
    checks.expect(isDns1123Subdomain(host) && !/^[0-9.]+$/.test(host), `${field}.host`, route.host,
      'must be a DNS-1123 subdomain such as shop.example.com, optionally with a "*." wildcard first, and not an IP address');

    checks.expect(prefix.startsWith('/'), `${field}.pathPrefix`, route.pathPrefix, 'must start with "/"');
    checks.expect(!REGEX_METACHARACTERS.test(prefix), `${field}.pathPrefix`, route.pathPrefix,
      'must not contain the regex metacharacters ^ $ * + ? ( ) [ ] { } | \\: a stripped prefix becomes a regular expression');
    checks.expect(REGEX_METACHARACTERS.test(prefix) || PATH_CHARACTERS.test(prefix), `${field}.pathPrefix`, route.pathPrefix,
      'may hold only letters, digits, "/" and the path characters - . _ ~ % ! & \' , ; = : @');
    checks.expect(prefix === '/' || !prefix.endsWith('/'), `${field}.pathPrefix`, route.pathPrefix,
      'must not end with "/": the prefix matches whole segments, so "/api" already matches "/api/…"');
    checks.expect(!/\/\/|\/\.\.?(\/|$)/.test(prefix), `${field}.pathPrefix`, route.pathPrefix,
      'must not contain empty, "." or ".." segments, which the API server refuses');
    checks.expect(!(route.stripPrefix && prefix === '/'), `${field}.stripPrefix`, route.stripPrefix,
      'the root path "/" has no prefix to strip');

    checks.expect(isDns1123Label(route.service), `${field}.service`, route.service,
      'must be a Service name: a DNS-1123 label of at most 63 characters of a-z, 0-9 and \'-\'');
    if (typeof route.port === 'number') {
      checks.expect(Number.isInteger(route.port) && route.port >= 1 && route.port <= 65535, `${field}.port`, route.port,
        'must be a port number from 1 to 65535');
    } else {
      checks.expect(route.port.length <= 15 && PORT_NAME.test(route.port), `${field}.port`, route.port,
        'must be a port name: an IANA service name of at most 15 characters of a-z, 0-9 and \'-\', with a letter, no "--" and no \'-\' at either end');
    }
    if (route.tls) checks.dns1123Subdomain(`${field}.tls.secretName`, route.tls.secretName);

    const first = firstOfRoute[i];
    checks.expect(first === i, field, `${route.host}${prefix}`, `duplicates routes[${first}]: a host and path lead to one Service`);
    const hostFirst = firstOfHost[i];
    checks.expect(route.tls?.secretName === routes[hostFirst].tls?.secretName, `${field}.tls`, route.tls,
      `must be the TLS of routes[${hostFirst}], which has the same host: a host is served with one certificate`);
  });
}
