import deepmerge from 'deepmerge';
import { Construct } from 'constructs';
import * as semver from 'semver';
import { validateWith } from '../core/checks';
import { credentialsIn } from '../core/credentials';
import { ImageRegistry, isImageRegistry } from '../core/image-registry';
import { unservedChart } from './chart-index';
import { ChartValueKeys, ChartValues, isPlainObject, unknownValueKeys } from './chart-values';

/** Where a chart comes from: an HTTPS Helm repository or an `oci://` registry, and its exact version. */
export interface HelmChart {
  /** `https://…` repository, or `oci://…` registry path that holds the chart. */
  readonly repository: string;
  /** Chart name. */
  readonly name: string;
  /** Exact chart version, such as `3.13.1`; never a range. */
  readonly version: string;
}

export interface HelmAddonProps {
  /** The chart, usually one of `Versions.charts`. */
  readonly chart: HelmChart;
  /** The Helm release: a DNS-1123 label of at most 53 characters (Helm's limit). */
  readonly releaseName: string;
  /** Namespace of the release; created when missing. */
  readonly namespace: string;
  /**
   * The values the typed props map to; a function is called at synth, for values that depend on what is
   * added to the model later (the alert rules of tenants added after the add-ons).
   */
  readonly values: ChartValues | (() => ChartValues);
  /**
   * The one registry every image of the release is pulled from (`images.registry`), upstream paths kept.
   * @default each image from its own registry
   */
  readonly imageRegistry?: string;
  /**
   * The chart's image settings: the values that put every image it can deploy under a registry, merged over
   * the typed ones when `imageRegistry` is set. Written from the chart's own defaults at its pinned version.
   * @default none: the chart's images cannot be moved, and `imageRegistry` is refused
   */
  readonly images?: (registry: ImageRegistry) => ChartValues;
  /**
   * Raw chart values, deep-merged over the typed ones last: maps merge, lists
   * and scalars replace. For what the typed props do not cover.
   * @default none
   */
  readonly rawValues?: ChartValues;
  /**
   * The keys the chart accepts at this version; a key outside them is an error.
   * @default keys are not checked
   */
  readonly valueKeys?: ChartValueKeys;
  /**
   * Add-ons that must be installed and ready first.
   * @default none
   */
  readonly dependsOn?: readonly HelmAddon[];
  /**
   * Labels of the namespace, such as the Pod Security level of node agents.
   * @default none
   */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /**
   * The namespaces where the release's pods, or the pods of the operator it installs, run at a system
   * PriorityClass (`system-node-critical`, `system-cluster-critical`): each gets a ResourceQuota that admits them,
   * as the API server admits those classes only where one does (`SystemCriticalQuotas`).
   * @default none
   */
  readonly systemCriticalNamespaces?: readonly string[];
  /**
   * Namespaces the release's operator creates, with the labels it gives them: the model creates them first, with
   * the same labels so that neither undoes the other, to hold what must be there before the operator's pods.
   * @default none
   */
  readonly operatorNamespaces?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Helm's limit on release names: they become parts of object names and labels. */
export const MAX_RELEASE_NAME_LENGTH = 53;

/**
 * A cluster add-on: one pinned Helm chart, installed as one release with
 * typed values. The deployment targets (Terraform's `helm_release`, Flux,
 * Argo CD) render it from these properties alone, so they cannot disagree.
 */
export class HelmAddon extends Construct {
  public readonly chart: HelmChart;
  public readonly releaseName: string;
  public readonly namespace: string;
  public readonly namespaceLabels: Readonly<Record<string, string>>;
  /** Where its pods or its operator's run at a system PriorityClass. */
  public readonly systemCriticalNamespaces: readonly string[];
  /** The namespaces its operator creates, with their labels. */
  public readonly operatorNamespaces: Readonly<Record<string, Readonly<Record<string, string>>>>;
  private readonly props: HelmAddonProps;
  private readonly dependencies: HelmAddon[];

  constructor(scope: Construct, id: string, props: HelmAddonProps) {
    super(scope, id);
    this.props = props;
    this.chart = props.chart;
    this.releaseName = props.releaseName;
    this.namespace = props.namespace;
    this.namespaceLabels = props.namespaceLabels ?? {};
    this.systemCriticalNamespaces = props.systemCriticalNamespaces ?? [];
    this.operatorNamespaces = props.operatorNamespaces ?? {};
    this.dependencies = [...new Set(props.dependsOn ?? [])];
    validateWith(this, checks => {
      checks.expect(isReleaseName(this.releaseName), 'releaseName', this.releaseName,
        `must be a DNS-1123 label of at most ${MAX_RELEASE_NAME_LENGTH} characters, Helm's limit for release names`);
      checks.dns1123Label('namespace', this.namespace);
      this.systemCriticalNamespaces.forEach((namespace, index) => checks.dns1123Label(`systemCriticalNamespaces[${index}]`, namespace));
      for (const namespace of Object.keys(this.operatorNamespaces)) checks.dns1123Label(`operatorNamespaces.${namespace}`, namespace);
      checks.expect(/^(https:\/\/|oci:\/\/)[^\s]+$/.test(this.chart.repository), 'chart.repository', this.chart.repository,
        'must be an https:// Helm repository or an oci:// registry');
      checks.expect(semver.valid(this.chart.version) !== null, 'chart.version', this.chart.version,
        'must be an exact chart version such as 3.13.1, never a range, so that every target installs the same chart');
      const unserved = unservedChart(this.chart);
      checks.expect(unserved === undefined, 'chart.version', this.chart.version, `must be a version its repository serves: ${unserved}`);
      if (props.imageRegistry !== undefined) {
        checks.expect(isImageRegistry(props.imageRegistry), 'imageRegistry', props.imageRegistry,
          'must be a registry host with an optional port and repository path, such as registry.internal:5000 or harbor.example.com/k8s');
        checks.expect(props.images !== undefined, 'imageRegistry', props.imageRegistry,
          `needs the image settings of chart ${this.chart.name} (images), which say where each of its images is set`);
      }
      // The typed values once: a function of them may compute much (the Prometheus stack's alert rules).
      const typed = this.typedValues();
      for (const path of unsafeValueKeys({ values: typed, rawValues: props.rawValues ?? {} })) {
        checks.fail(path, '(not shown)', 'is a key that reaches object prototypes (__proto__, constructor, prototype), which no chart reads; '
          + 'in JavaScript, an object literal\'s __proto__ silently becomes its prototype');
      }
      // Nothing in values reaches a cluster but through the output, which is committed: credentials stay in Secrets.
      for (const [field, values] of [['values', typed], ['rawValues', props.rawValues ?? {}]] as const) {
        for (const finding of credentialsIn(values)) {
          checks.fail(`${field}.${finding.path}`, '(not shown)', `looks like ${finding.kind}, which would be written into the output: `
            + 'reference a Secret instead (the chart\'s existingSecret or secretName value, or valueFrom.secretKeyRef) or a file (a *_file setting)');
        }
      }
      const keys = props.valueKeys;
      if (keys) {
        checks.expect(keys.chart === this.chart.name && keys.version === this.chart.version, 'valueKeys', `${keys.chart}@${keys.version}`,
          `must be the keys of the installed chart, ${this.chart.name}@${this.chart.version}`);
        for (const { path, value } of unknownValueKeys(this.merged(typed), keys.keys)) {
          checks.fail(`values.${path}`, value, `is not a value of chart ${keys.chart} ${keys.version}`);
        }
      }
      const cycle = this.dependencyCycle();
      checks.expect(cycle === undefined, 'dependsOn', cycle, 'add-on dependencies must not form a cycle');
    });
  }

  /** The release's values: the typed ones with the raw ones merged over them. */
  public get values(): ChartValues {
    return this.merged(this.typedValues());
  }

  private typedValues(): ChartValues {
    return typeof this.props.values === 'function' ? this.props.values() : this.props.values;
  }

  /** The typed values, the chart's image settings over them, the raw values last. */
  private merged(typed: ChartValues): ChartValues {
    const { imageRegistry, images } = this.props;
    const relocated = imageRegistry !== undefined && images ? images(new ImageRegistry(imageRegistry)) : {};
    return deepmerge.all([typed, relocated, this.props.rawValues ?? {}], {
      arrayMerge: (_, source) => source,
      isMergeableObject: isPlainObject,
    }) as ChartValues;
  }

  /** The add-ons that must be installed first. */
  public get dependsOn(): readonly HelmAddon[] {
    return this.dependencies;
  }

  /** Declares that `addon` must be installed before this one. */
  public addDependency(...addons: HelmAddon[]): void {
    for (const addon of addons) if (!this.dependencies.includes(addon)) this.dependencies.push(addon);
  }

  /** `a → b → a` when this add-on depends on itself through others. */
  private dependencyCycle(): string | undefined {
    const search = (addon: HelmAddon, trail: HelmAddon[]): HelmAddon[] | undefined => {
      for (const next of addon.dependencies) {
        if (next === this) return [...trail, next];
        if (!trail.includes(next)) {
          const found = search(next, [...trail, next]);
          if (found) return found;
        }
      }
      return undefined;
    };
    const cycle = search(this, [this]);
    return cycle?.map(a => a.releaseName).join(' → ');
  }
}

/** The keys JavaScript treats as an object's prototype. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Where values hold a prototype key, by dotted path: an own key (from JSON) or, in an object literal,
 * an object whose prototype is not Object's (`{ __proto__: … }` sets the prototype instead of a key).
 */
export function unsafeValueKeys(values: unknown, path = ''): string[] {
  if (Array.isArray(values)) return values.flatMap((item, index) => unsafeValueKeys(item, `${path}[${index}]`));
  if (typeof values !== 'object' || values === null) return [];
  const prototype = Object.getPrototypeOf(values);
  const found = prototype !== Object.prototype && prototype !== null ? [path ? `${path}.__proto__` : '__proto__'] : [];
  for (const key of Object.keys(values)) {
    const at = path ? `${path}.${key}` : key;
    if (PROTOTYPE_KEYS.has(key)) found.push(at);
    else found.push(...unsafeValueKeys((values as Record<string, unknown>)[key], at));
  }
  return found;
}

function isReleaseName(name: string): boolean {
  return name.length <= MAX_RELEASE_NAME_LENGTH && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}
