/**
 * Image references moved to one registry, for clusters that reach no upstream
 * registry and have no pull-through mirror (`images.registry`). An image keeps
 * its path and tag under the registry, as the registry-copying tools (skopeo
 * sync, crane copy, Harbor replication) lay them out and as Kubespray's offline
 * mode reads them: `registry.k8s.io/pause:3.10.2` becomes
 * `registry.internal:5000/pause:3.10.2`, `docker.io/nginx/nginx-ingress:5.2.1`
 * becomes `registry.internal:5000/nginx/nginx-ingress:5.2.1`.
 */
export class ImageRegistry {
  /** The registry itself: a host with an optional port and path, such as `registry.internal:5000` or `harbor.example.com/k8s`. */
  public readonly registry: string;

  constructor(registry: string) {
    this.registry = registry;
  }

  /** The host (and port) of the registry, without its path. */
  public get host(): string {
    return this.registry.split('/')[0];
  }

  /**
   * Where `reference` is pulled from: under the registry, unless it is there already. A reference without
   * a registry host is Docker Hub's, as containerd reads it (`busybox` is `docker.io/library/busybox`).
   */
  public image(reference: string): string {
    const { host, path } = splitImageReference(reference);
    return host === this.host ? reference : `${this.registry}/${path}`;
  }
}

/** The names of Docker Hub in image references, all read as `docker.io`. */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The registry host of an image reference and the rest of it, normalised as
 * containerd reads it: no host is Docker Hub, and Docker Hub's one-part
 * names are official images under `library/` (`nginx`, `docker.io/nginx` and
 * `docker.io/library/nginx` are one image).
 */
export function splitImageReference(reference: string): { host: string; path: string } {
  const slash = reference.indexOf('/');
  const first = slash < 0 ? '' : reference.slice(0, slash);
  const hasHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? first : 'docker.io';
  const path = hasHost ? reference.slice(slash + 1) : reference;
  if (!DOCKER_HUB.has(host)) return { host, path };
  return { host: 'docker.io', path: path.includes('/') ? path : `library/${path}` };
}

/**
 * A registry host as image references name it: a DNS name or address with an optional port, or a
 * single-label name with a port (`registry:5000`), which references read as a host too.
 */
export const REGISTRY_HOST = /^((localhost|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+|\[[0-9a-f:]+\])(:\d{1,5})?|[a-z0-9]([a-z0-9-]*[a-z0-9])?:\d{1,5})$/;

/** A path component of a repository, as the OCI distribution specification allows it. */
const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;

/** Whether `registry` is a registry host with an optional repository path, and no scheme. */
export function isImageRegistry(registry: unknown): registry is string {
  if (typeof registry !== 'string') return false;
  const [host, ...path] = registry.split('/');
  return REGISTRY_HOST.test(host) && path.every(component => PATH_COMPONENT.test(component));
}
