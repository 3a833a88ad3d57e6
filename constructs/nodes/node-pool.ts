import { Construct } from 'constructs';
import { Checks, validateWith } from '../core/checks';
import { Labels } from '../core/labels';
import { isLabelValue, isQualifiedName } from '../core/names';
import { Quantity } from '../core/quantity';
import { TAINT_EFFECTS, TaintSpec } from '../core/taint';
import { Allocatable, nodeAllocatable } from './allocatable';
import { checkHostSet, expandHosts, HostSetSpec, HostSpec } from './host-set';
import { kubeletConfiguration, PROTECTED_KERNEL_DEFAULTS } from './kubelet-configuration';
import { checkKubeletProfile, KubeletProfile, resolveKubelet, ResolvedKubelet } from './kubelet-profile';
import { isKubeletSettableLabel } from './node-labels';
import { NodeSku } from './node-sku';

/** A group of alike worker nodes. */
export interface NodePoolSpec extends HostSetSpec {
  /** Name of the pool: a DNS-1123 label. Its nodes carry the label `prodk8s.io/node-pool=<name>`. */
  readonly name: string;
  /**
   * `entry` marks the pool of the NGINX entry; it must be tainted so that tenants stay off it.
   * @default 'workers'
   */
  readonly role?: 'workers' | 'entry';
  /** What one machine of the pool offers. */
  readonly sku: NodeSku;
  /**
   * More labels of the pool's nodes. The kubelet may not set labels under `kubernetes.io/` or `k8s.io/`
   * other than the few the NodeRestriction admission plugin allows.
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Taints of the pool's nodes; a tenant pinned to the pool tolerates them. Pools without NoSchedule or
   * NoExecute taints are shared by every tenant that is not pinned.
   * @default none
   */
  readonly taints?: readonly TaintSpec[];
  /**
   * Kernel parameters, such as `{ 'vm.max_map_count': '262144' }` for search engines.
   * @default only those the hardened kubelet requires
   */
  readonly sysctls?: Readonly<Record<string, string>>;
  /**
   * Kubelet settings of the pool.
   * @default the prodk8s kubelet defaults
   */
  readonly kubelet?: KubeletProfile;
  /**
   * How far the tenants' cpu and memory requests may exceed the pool's allocatable, as a decimal factor (`'1.5'`).
   * @default '1'
   */
  readonly requestOvercommit?: string;
}

/** A pool as the `NodePool` construct takes it: its spec, and where it sits in the cluster. */
export interface NodePoolProps extends NodePoolSpec {
  /** Name of the cluster, for the default host names. */
  readonly clusterName: string;
  /**
   * Field path of the pool in the cluster spec, for messages.
   * @default the pool's name
   */
  readonly field?: string;
}

/**
 * A group of alike nodes: their hosts, kubelet configuration, labels, taints
 * and kernel parameters, and what each node gives to pods.
 */
export class NodePool extends Construct {
  public readonly name: string;
  /** `entry` for the pool of the NGINX entry. */
  public readonly role: 'workers' | 'entry';
  public readonly sku: NodeSku;
  /** The machines of the pool. */
  public readonly hosts: readonly HostSpec[];
  private computedAllocatable?: { readonly value: Allocatable | undefined };
  /** The kubelet settings with every default filled in. */
  public readonly kubelet: ResolvedKubelet;
  /** The overcommit factor of requests, as decimal text. */
  public readonly requestOvercommit: string;
  private readonly props: NodePoolProps;

  constructor(scope: Construct, id: string, props: NodePoolProps) {
    super(scope, id);
    this.props = props;
    this.name = props.name;
    this.role = props.role ?? 'workers';
    this.sku = props.sku;
    this.hosts = expandHosts(props, `${props.clusterName}-${props.name}-{index}`);
    this.kubelet = resolveKubelet(props.kubelet, props.sku);
    this.requestOvercommit = props.requestOvercommit ?? '1';
    validateWith(this, checks => this.check(checks, props.field ?? props.name));
  }

  /** The labels every node of the pool carries: the pool's own and `prodk8s.io/node-pool`. */
  public get nodeLabels(): Record<string, string> {
    return { ...this.props.labels, [Labels.NODE_POOL]: this.name };
  }

  public get taints(): readonly TaintSpec[] {
    return this.props.taints ?? [];
  }

  /** The extended resources the pool's SKU declares, such as `nvidia.com/gpu`, sorted. */
  public get extendedResources(): readonly string[] {
    return Object.keys(this.sku.extendedResources ?? {}).sort();
  }

  /** Whether pods without tolerations may land on the pool: it has no NoSchedule or NoExecute taint. */
  public get isShared(): boolean {
    return this.taints.every(taint => taint.effect === 'PreferNoSchedule');
  }

  /** Kernel parameters of the nodes: those the hardened kubelet requires, then the pool's own. */
  public get sysctls(): Record<string, string> {
    return { ...PROTECTED_KERNEL_DEFAULTS, ...this.props.sysctls };
  }

  /** What one node gives to pods; undefined while the SKU or kubelet profile is invalid. */
  public get allocatable(): Allocatable | undefined {
    // Once: the capacity checks and the summary ask for it per tenant, and the pool does not change.
    if (this.computedAllocatable === undefined) {
      const checks = new Checks();
      this.checkResources(checks, '');
      this.computedAllocatable = { value: checks.problems.length === 0 ? nodeAllocatable(this.sku, this.kubelet) : undefined };
    }
    return this.computedAllocatable.value;
  }

  /** The pool's KubeletConfiguration document. */
  public kubeletConfiguration(dnsDomain: string): Record<string, unknown> {
    return kubeletConfiguration(this.kubelet, dnsDomain);
  }

  private checkResources(checks: Checks, field: string): void {
    const sku = this.sku;
    checks.expect(Quantity.isValid(sku.cpu) && Quantity.parse(sku.cpu).nanos > 0n, `${field}sku.cpu`, sku.cpu, 'must be a positive quantity of cores');
    checks.expect(Quantity.isValid(sku.memory) && Quantity.parse(sku.memory).nanos > 0n, `${field}sku.memory`, sku.memory, 'must be a positive quantity of memory');
    checks.expect(Quantity.isValid(sku.ephemeralStorage) && Quantity.parse(sku.ephemeralStorage).nanos > 0n, `${field}sku.ephemeralStorage`, sku.ephemeralStorage,
      'must be a positive quantity of disk');
    if (sku.maxPods !== undefined) {
      checks.expect(Number.isInteger(sku.maxPods) && sku.maxPods >= 1, `${field}sku.maxPods`, sku.maxPods, 'must be a whole number, one or more');
    }
    for (const [name, value] of Object.entries(sku.extendedResources ?? {})) {
      checks.expect(isQualifiedName(name) && name.includes('/'), `${field}sku.extendedResources`, name, 'extended resource names are domain-prefixed, such as nvidia.com/gpu');
      checks.expect(Quantity.isValid(value) && !Quantity.parse(value).isNegative(), `${field}sku.extendedResources.${name}`, value, 'must be a quantity, zero or more');
    }
    checkKubeletProfile(checks, `${field}kubelet`, this.props.kubelet, sku);
  }

  private check(checks: Checks, field: string): void {
    const prefix = `${field}.`;
    checks.dns1123Label(`${prefix}name`, this.name);
    checkHostSet(checks, field, this.props, this.hosts);
    this.checkResources(checks, prefix);
    checks.labels(`${prefix}labels`, this.props.labels);
    for (const key of Object.keys(this.props.labels ?? {})) {
      checks.expect(isKubeletSettableLabel(key), `${prefix}labels`, key,
        'the NodeRestriction admission plugin forbids kubelets to set labels under kubernetes.io/ or k8s.io/ (use your own prefix, or node.kubernetes.io/)');
    }
    this.taints.forEach((taint, t) => {
      checks.expect(isQualifiedName(taint.key), `${prefix}taints[${t}].key`, taint.key, 'must be a qualified name such as prodk8s.io/dedicated');
      if (taint.value !== undefined) {
        checks.expect(isLabelValue(taint.value), `${prefix}taints[${t}].value`, taint.value,
          'must be at most 63 characters of letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit');
      }
      checks.oneOf(`${prefix}taints[${t}].effect`, taint.effect, TAINT_EFFECTS);
    });
    for (const [name, value] of Object.entries(this.props.sysctls ?? {})) {
      checks.expect(/^[a-z0-9_]+(\.[a-z0-9_-]+)+$/.test(name), `${prefix}sysctls`, name, 'must be a kernel parameter name such as vm.max_map_count');
      // sysctl.conf reads one parameter a line, and the bootstrap's user-data may pass a templating step.
      checks.expect((typeof value === 'string' || typeof value === 'number') && /^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(String(value)) && !String(value).includes('$'),
        `${prefix}sysctls.${name}`, value, 'must be one line of printable characters without $, such as 262144 or "4096 87380 6291456"');
      const required = PROTECTED_KERNEL_DEFAULTS[name];
      checks.expect(required === undefined || String(value) === required, `${prefix}sysctls.${name}`, value,
        `must stay ${required}: the kubelet's protectKernelDefaults refuses to start otherwise`);
    }
    checks.expect(/^\d+(\.\d+)?$/.test(this.requestOvercommit) && Number(this.requestOvercommit) > 0, `${prefix}requestOvercommit`, this.requestOvercommit,
      'must be a positive decimal factor such as 1 or 1.5');
    const allocatable = this.allocatable;
    if (allocatable) {
      for (const resource of ['cpu', 'memory', 'ephemeralStorage'] as const) {
        checks.expect(allocatable[resource].nanos > 0n, `${prefix}sku.${resource}`, this.sku[resource],
          `leaves no ${resource} to pods: the reservations and the hard eviction threshold take ${allocatable[resource].isNegative() ? 'more than' : 'all of'} it`);
      }
    }
  }
}
