import { Construct } from 'constructs';
import * as semver from 'semver';
import { Checks, validateWith } from '../core/checks';
import { Cidr } from '../core/cidr';
import { isQualifiedName } from '../core/names';
import { Labels } from '../core/labels';
import { TAINT_EFFECTS } from '../core/taint';
import { NamespaceAdminRole } from '../tenancy/namespace-admin-role';
import { checkPodSecurity, isPodSecurityProfile } from '../tenancy/pod-security';
import { PriorityClasses } from '../tenancy/priority-classes';
import { Tenant, TenantPlacement } from '../tenancy/tenant';
import { Versions } from '../versions';
import { ClusterSpec, NodePoolSpec, TenantSpec } from './cluster-spec';

/** Where external traffic enters when the spec names no entry. */
export const DEFAULT_ENTRY_NAMESPACE = 'nginx-entry';

/**
 * One environment's cluster: its PriorityClasses, the shared namespace-admin
 * ClusterRole and a `Tenant` per team, with the checks that span them (unique
 * tenants, PriorityClasses and node pools that exist, networks that do not
 * overlap, a supported Kubernetes version).
 */
export class ProductionCluster extends Construct {
  /** The spec the cluster was built from. */
  public readonly spec: ClusterSpec;
  /** Every tenant, in the order added. */
  public readonly tenants: Tenant[] = [];

  private readonly tenantSpecs: TenantSpec[] = [];
  private readonly tenantScope: Construct;
  private readonly adminRole: NamespaceAdminRole;
  private readonly priorityClasses: PriorityClasses;
  private readonly nodePools: ReadonlyMap<string, NodePoolSpec>;

  constructor(scope: Construct, id: string, spec: ClusterSpec) {
    super(scope, id);
    this.spec = spec;
    this.nodePools = new Map((spec.nodePools ?? []).map(pool => [pool.name, pool]));
    this.priorityClasses = new PriorityClasses(this, 'priority-classes', { classes: spec.priorityClasses ?? [] });
    this.adminRole = new NamespaceAdminRole(this, 'namespace-admin');
    this.tenantScope = new Construct(this, 'tenants');
    for (const tenant of spec.tenants) this.addTenant(tenant);
    validateWith(this, checks => this.checkModel(checks));
  }

  /** Namespace of the cluster's entry controller. */
  public get entryNamespace(): string {
    return this.spec.entry?.namespace ?? DEFAULT_ENTRY_NAMESPACE;
  }

  /** Adds a tenant; it is validated with the rest of the cluster. */
  public addTenant(spec: TenantSpec): Tenant {
    const { nodePool, ...options } = spec;
    const pool = nodePool === undefined ? undefined : this.nodePools.get(nodePool);
    const version = semver.valid(this.spec.kubernetesVersion);
    const tenant = new Tenant(this.tenantScope, this.tenantId(spec.name), {
      ...options,
      labels: { [Labels.ENVIRONMENT]: this.spec.name },
      // An invalid cluster default is reported once, by the cluster, not again by every tenant.
      podSecurity: spec.podSecurity ?? (isPodSecurityProfile(this.spec.podSecurity) ? this.spec.podSecurity : undefined),
      podSecurityVersion: version ? `v${semver.major(version)}.${semver.minor(version)}` : undefined,
      ingressFromNamespaces: [this.entryNamespace],
      placement: pool ? placementOn(pool) : undefined,
      adminRoleName: this.adminRole.roleName,
    });
    this.tenantSpecs.push(spec);
    this.tenants.push(tenant);
    return tenant;
  }

  /** A construct id for a tenant that never collides, so that duplicates are reported rather than thrown. */
  private tenantId(name: string): string {
    const id = name || 'unnamed';
    return this.tenantScope.node.tryFindChild(id) ? `${id}-duplicate-${this.tenantSpecs.length}` : id;
  }

  private checkModel(checks: Checks): void {
    const spec = this.spec;
    checks.dns1123Label('name', spec.name);
    checkKubernetesVersion(checks, spec.kubernetesVersion);

    const podCidr = checks.cidr('networking.podCidr', spec.networking.podCidr);
    const serviceCidr = checks.cidr('networking.serviceCidr', spec.networking.serviceCidr);
    if (podCidr && serviceCidr) {
      checks.expect(!podCidr.overlaps(serviceCidr), 'networking.serviceCidr', serviceCidr.text,
        `must not overlap networking.podCidr (${podCidr.text}): a Service IP would be routed to a pod`);
      checks.expect(podCidr.family === serviceCidr.family, 'networking.serviceCidr', serviceCidr.text,
        `must be of the same IP family as networking.podCidr (${podCidr.text})`);
    }
    if (serviceCidr) {
      const widest = serviceCidr.family === 'ipv4' ? 12 : 108;
      checks.expect(serviceCidr.prefixLength >= widest, 'networking.serviceCidr', serviceCidr.text,
        `must be /${widest} or narrower: the API server refuses larger service ranges`);
    }
    if (spec.networking.dnsDomain !== undefined) checks.dns1123Subdomain('networking.dnsDomain', spec.networking.dnsDomain);
    checkPodSecurity(checks, 'podSecurity', spec.podSecurity);
    this.checkNodePools(checks);
    checks.dns1123Label('entry.namespace', this.entryNamespace);
    this.checkTenants(checks, [podCidr, serviceCidr].filter((c): c is Cidr => c !== undefined));
  }

  private checkNodePools(checks: Checks): void {
    const seen = new Set<string>();
    (this.spec.nodePools ?? []).forEach((pool, index) => {
      const field = `nodePools[${index}]`;
      checks.dns1123Label(`${field}.name`, pool.name);
      checks.expect(!seen.has(pool.name), `${field}.name`, pool.name, 'node pool names must be unique');
      seen.add(pool.name);
      (pool.taints ?? []).forEach((taint, t) => {
        checks.expect(isQualifiedName(taint.key), `${field}.taints[${t}].key`, taint.key,
          'must be a qualified name such as prodk8s.io/dedicated');
        checks.oneOf(`${field}.taints[${t}].effect`, taint.effect, TAINT_EFFECTS);
      });
    });
  }

  private checkTenants(checks: Checks, clusterNetworks: readonly Cidr[]): void {
    const seen = new Set<string>();
    this.tenantSpecs.forEach((tenant, index) => {
      const field = `tenants[${index}]`;
      checks.expect(!seen.has(tenant.name), `${field}.name`, tenant.name, 'tenant names must be unique: each tenant owns its namespace');
      seen.add(tenant.name);
      checks.expect(tenant.name !== this.entryNamespace, `${field}.name`, tenant.name, 'the entry\'s namespace cannot be a tenant');
      (tenant.priorityQuotas ?? []).forEach((budget, b) => {
        checks.expect(this.priorityClasses.names.has(budget.priorityClass), `${field}.priorityQuotas[${b}].priorityClass`, budget.priorityClass,
          `must name a PriorityClass of the cluster (${[...this.priorityClasses.names].join(', ') || 'none defined'})`);
      });
      if (tenant.nodePool !== undefined) {
        checks.expect(this.nodePools.has(tenant.nodePool), `${field}.nodePool`, tenant.nodePool,
          `must name a node pool of the cluster (${[...this.nodePools.keys()].join(', ') || 'none defined'})`);
      }
      (tenant.egress ?? []).forEach((rule, r) => {
        const cidr = Cidr.tryParse(rule.cidr);
        const overlapping = cidr && clusterNetworks.find(network => cidr.overlaps(network));
        checks.expect(!overlapping, `${field}.egress[${r}].cidr`, rule.cidr,
          `must not overlap the cluster network ${overlapping?.text}: in-cluster traffic is allowed by namespace, never by address`);
      });
    });
  }
}

function placementOn(pool: NodePoolSpec): TenantPlacement {
  return { nodeSelector: { [Labels.NODE_POOL]: pool.name }, tolerations: pool.taints };
}

function checkKubernetesVersion(checks: Checks, version: string): void {
  const { oldestMinor, newestMinor } = Versions.kubernetes;
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) {
    checks.fail('kubernetesVersion', version, 'must be an exact version such as 1.36.4');
    return;
  }
  const minor = `${semver.major(version)}.${semver.minor(version)}.0`;
  checks.expect(semver.gte(minor, `${oldestMinor}.0`) && semver.lte(minor, `${newestMinor}.0`), 'kubernetesVersion', version,
    `must be a supported Kubernetes minor, ${oldestMinor} to ${newestMinor}`);
}
