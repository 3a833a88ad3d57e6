/**
 * Something the model refers to but does not create: it must exist before
 * the add-ons or the tenants that use it. SUMMARY.md lists them all.
 */
export interface Prerequisite {
  /** What it is, such as `Secret` or `StorageClass`. */
  readonly kind: 'Secret' | 'StorageClass' | 'NFS export' | 'Extended resource' | 'API endpoint' | 'GitOps engine' | 'Load balancer' | 'DNS name' | 'Bucket';
  /** Its name, or its address for an export or an endpoint. */
  readonly name: string;
  /** @default cluster-scoped */
  readonly namespace?: string;
  /** What it must hold (a Secret's keys), sorted. */
  readonly holds: readonly string[];
  /** Who refers to it, in spec terms. */
  readonly usedBy: string;
}

/** The Secret keys of Grafana's admin, as the stack reads them. */
export const GRAFANA_ADMIN_KEYS = ['admin-password', 'admin-user'] as const;

/** The keys of a TLS Secret an Ingress serves. */
export const TLS_SECRET_KEYS = ['tls.crt', 'tls.key'] as const;

/**
 * One entry per distinct prerequisite: the keys and users of the same Secret
 * merged, sorted by kind, namespace and name so that the list never depends
 * on the order of the spec.
 */
export function mergedPrerequisites(found: readonly Prerequisite[]): Prerequisite[] {
  const merged = new Map<string, Prerequisite>();
  for (const item of found) {
    const key = `${item.kind}\u0000${item.namespace ?? ''}\u0000${item.name}`;
    const earlier = merged.get(key);
    merged.set(key, earlier === undefined ? item : {
      ...earlier,
      holds: [...new Set([...earlier.holds, ...item.holds])].sort(),
      usedBy: earlier.usedBy.split(', ').includes(item.usedBy) ? earlier.usedBy : `${earlier.usedBy}, ${item.usedBy}`,
    });
  }
  return [...merged.keys()].sort().map(key => ({ ...merged.get(key)!, holds: [...merged.get(key)!.holds].sort() }));
}
