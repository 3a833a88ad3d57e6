/** Label keys that prodk8s puts on what it renders; other tools (policies, dashboards) may select on them. */
export const Labels = {
  /** The tenant a namespace belongs to. */
  TENANT: 'prodk8s.io/tenant',
  /** The environment (cluster) an object was rendered for. */
  ENVIRONMENT: 'prodk8s.io/environment',
  /** The node pool of a node; a tenant's dedicated pool is selected by it. */
  NODE_POOL: 'prodk8s.io/node-pool',
  /** Standard label of the tool that manages an object. */
  MANAGED_BY: 'app.kubernetes.io/managed-by',
  /** Set by the API server on every namespace (Kubernetes 1.22+); NetworkPolicies select namespaces by it. */
  NAMESPACE_NAME: 'kubernetes.io/metadata.name',
} as const;
