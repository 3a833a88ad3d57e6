import { existsSync, readdirSync } from 'fs';
import { join } from 'path';
import { ApiObject, App } from 'cdk8s';
import { ClusterSpec, ProductionCluster, ruleFileGroup } from '../constructs';
import { specShapeProblems } from '../constructs/cluster/spec-schema';
import { collectProblems, markValid, renderValidated, SynthError } from '../constructs/core/problems';
import { collectWarnings } from '../constructs/core/warnings';
import { EnvironmentChart } from '../stacks/environment-chart';
import { nodeFiles } from '../stacks/node-files';
import { ETCD_RESTORE_FILE, etcdRestoreRunbook } from '../stacks/etcd-restore';
import { ALERT_RULES_FILE, environmentSummary } from '../stacks/summary';
import { objectJson } from './object-json';
import { KubeObject, layoutManifests, ManifestFile, unplacedObjects } from './manifest-layout';
import { OutputError } from './output-error';
import { Carry, OpenOutput, openOutput, OUTPUT_MARKER, OutputFile, Staging, writeFiles } from './output-folder';
import { isTerraformWorkingFile, loadTerraformRenderer, TerraformRenderer } from './terraform-renderer';
import { hashComment, useYamlWorker, YamlFileWriter } from './yaml-files';

/** What a synth renders: the files, and the warnings to show. */
export interface Rendering {
  readonly files: OutputFile[];
  readonly warnings: string[];
}

/** What a validation finds: problems that stop a synth, and warnings that do not. */
export interface Validation {
  readonly problems: string[];
  readonly warnings: string[];
}

export interface SynthesizeOptions {
  /**
   * Replace only the folders of the environments given, keeping every other
   * entry of the output folder byte for byte (`prodk8s synth --env`).
   * @default false: the output folder is replaced as a whole, so that an environment removed from the model is removed
   * from it, all but Terraform's working files and state in its stack's folder (its releases may still be installed)
   */
  readonly onlyTheseEnvironments?: boolean;
}

/**
 * Validates every environment as a synth does, and renders nothing: every
 * problem (each naming path, field, value and rule) and every warning.
 */
export function validate(specs: readonly ClusterSpec[]): Validation {
  try {
    // Each valid environment leaves the model once validated: a fleet's environments need not all live at once.
    return eachEnvironment(specs, ({ chart }) => {
      leaveModel(chart);
      return [];
    });
  } catch (error) {
    if (!(error instanceof SynthError)) throw error;
    return { problems: [...error.problems], warnings: [...error.warnings] };
  }
}

/**
 * Renders the files of every environment: `<env>/manifests/*.yaml` (GitOps
 * objects of the add-ons included), the node configuration in `<env>/node/`,
 * the Kubespray inventory in `<env>/kubespray/` and the Terraform stack of
 * the add-ons in `<env>/terraform/`. The whole model is validated first; any
 * problem throws a `SynthError` listing all of them, and nothing is rendered.
 */
export function renderEnvironments(specs: readonly ClusterSpec[]): Rendering {
  return renderModel(specs).rendering;
}

/** `renderEnvironments`, with the clusters it rendered, for what reads the model beside its files (`prodk8s diff`). */
export function renderModel(specs: readonly ClusterSpec[]): { readonly rendering: Rendering; readonly clusters: readonly ProductionCluster[] } {
  const { rendering, clusters } = renderEach(specs, { release: false });
  return { rendering, clusters };
}

/**
 * Renders every environment into the output folder `outdir` (see
 * `replaceOutput`: only a folder prodk8s wrote is replaced, one synth at a
 * time, atomically), or throws and leaves `outdir`, and everything beside
 * it, as it was: a `SynthError` for an invalid model, an `OutputError` for a
 * refused folder or a failed write. `outdir` changes only once the whole
 * model is valid and rendered. A small model is not written at all before
 * then; a large one's YAML worker writes each file into the staging folder
 * (`openOutput`) as soon as it has serialized it, from the first environment
 * that needs a worker on, so that writing overlaps rendering, and the
 * staging folder goes if a later environment fails. Terraform's working
 * files in a stack's folder (`.terraform/`, its lock file, state files) are
 * carried into the new output.
 */
export function synthesize(specs: readonly ClusterSpec[], outdir: string, options: SynthesizeOptions = {}): Rendering {
  let output: OpenOutput | undefined;
  const staging = () => (output ??= openOutput(outdir, carried(new Set(specs.map(spec => spec.name)), options.onlyTheseEnvironments ?? false))).staging;
  let rendering: Rendering;
  try {
    // The model is this synth's own: each environment can go as soon as it is rendered.
    const rendered = renderEach(specs, { release: true, staging });
    rendering = rendered.rendering;
    const folder = staging();
    OutputError.wrap(() => writeFiles(folder, rendering.files.filter(file => !rendered.written.has(file.path))));
  } catch (error) {
    output?.abandon();
    throw error;
  }
  output!.commit();
  return rendering;
}

/**
 * What a new output keeps of the previous one: with `onlyTheseEnvironments`,
 * every entry but the folders of `rendered`; always, Terraform's working
 * files in every environment's stack folder, which `terraform init` and a
 * local state create there and a synth must never delete, even for an
 * environment no longer in the model: its releases may still be installed.
 */
function carried(rendered: ReadonlySet<string>, onlyTheseEnvironments: boolean): Carry {
  return previous => {
    const entries = readdirSync(previous, { withFileTypes: true });
    const kept = onlyTheseEnvironments ? entries.filter(entry => !rendered.has(entry.name) && entry.name !== OUTPUT_MARKER).map(entry => entry.name) : [];
    const terraform = entries.filter(entry => entry.isDirectory() && !kept.includes(entry.name)).flatMap(entry => {
      const stack = join(previous, entry.name, 'terraform');
      const names = existsSync(stack) ? readdirSync(stack).filter(isTerraformWorkingFile) : [];
      return names.map(name => `${entry.name}/terraform/${name}`);
    });
    return [...kept, ...terraform];
  };
}

/** One valid environment: its chart, its objects laid out in manifest files, not yet rendered. */
interface Environment {
  readonly chart: EnvironmentChart;
  readonly name: string;
  /** The comment that opens each of its files. */
  readonly header: string;
  /** Its warnings, each prefixed with its construct's path. */
  readonly warnings: readonly string[];
  /** Rendering with `release` takes each file's objects out once they are rendered. */
  readonly manifests: ManifestFile<ApiObject>[];
}

/**
 * Builds and validates each environment in turn, and hands each one to
 * `valid` while every environment so far is valid, and was rendered without
 * a problem (`valid` returns the problems it found): a fleet's environments
 * need not all live at once. The problems and warnings of all of them, or a
 * `SynthError` for specs of the wrong shape, without an environment or with
 * two of the same name (checked before anything is built).
 */
function eachEnvironment(specs: readonly ClusterSpec[], valid: (environment: Environment) => readonly string[]): Validation {
  // An empty model would replace the output with nothing.
  if (specs.length === 0) throw new SynthError(['environments = []: there must be at least one environment']);
  // A spec's shape first (it may come from JavaScript, JSON or YAML): the constructs expect their fields.
  const shapeProblems = specs.flatMap((spec, index) => specShapeProblems(spec, index));
  if (shapeProblems.length > 0) throw new SynthError(shapeProblems);
  const duplicates = specs.map(s => s.name).filter((name, index, names) => names.indexOf(name) !== index);
  if (duplicates.length > 0) {
    throw new SynthError(duplicates.map(name => `[${name}] name = ${JSON.stringify(name)}: environment names must be unique`));
  }
  const app = new App();
  const warnings: string[] = [];
  const problems: string[] = [];
  // Reported only for a model without other problems: an object of an invalid construct may be unplaced for that reason alone.
  const unplaced: string[] = [];
  for (const spec of specs) {
    const checked = checkedEnvironment(app, spec);
    warnings.push(...checked.warnings);
    problems.push(...checked.problems);
    unplaced.push(...checked.unplaced);
    if (problems.length === 0 && unplaced.length === 0) problems.push(...valid(checked.environment));
  }
  return { problems: problems.length > 0 ? problems : unplaced, warnings };
}

/**
 * One environment built into `app` and validated: its warnings and problems,
 * and its objects laid out. Nothing else of the tree stays referenced here,
 * so that rendering can release each object as it goes.
 */
function checkedEnvironment(app: App, spec: ClusterSpec): Validation & { unplaced: string[]; environment: Environment } {
  const chart = new EnvironmentChart(app, spec);
  // Collected before validating, so that the validation does not print them as process warnings too.
  const constructs = chart.node.findAll();
  const warnings = collectWarnings(chart, constructs);
  const problems = collectProblems(chart, constructs);
  const objects = constructs.filter(ApiObject.isApiObject);
  const unplaced = unplacedObjects(objects)
    .map(object => `[${chart.node.path}] ${object}: a namespaced object must name its namespace, or it lands in "default"`);
  if (problems.length === 0 && unplaced.length === 0) markValid(chart.cluster);
  const name = chart.cluster.spec.name;
  // Two lines, each short enough for the line width whatever the environment's name.
  const header = `Generated by prodk8s for the "${name}" environment.\nDo not edit: change the environment's spec and synthesize again.`;
  return { warnings, problems, unplaced, environment: { chart, name, header, warnings, manifests: layoutManifests(objects) } };
}

/**
 * The files of every environment, each rendered as soon as it is valid,
 * environment by environment: the manifests are most of a large estate's
 * work, each YAML file serialized (on a worker thread, once there are enough
 * objects) while what comes next is rendered. With `release`, each
 * environment leaves the model once rendered. Any problem in any environment
 * throws a `SynthError` listing all of them.
 */
function renderEach(specs: readonly ClusterSpec[], { release, staging }: { release: boolean; staging?: () => Staging }) {
  const files = new YamlFileWriter({ worker: false });
  const clusters: ProductionCluster[] = [];
  let renderTerraform: TerraformRenderer | undefined;
  let objects = 0;
  try {
    const { problems, warnings } = eachEnvironment(specs, environment => {
      const { chart } = environment;
      const count = environment.manifests.reduce((n, file) => n + file.objects.length, 0);
      objects += count;
      if (useYamlWorker(objects)) files.useWorker(staging?.());
      // Loaded for the first valid environment: a model that fails its checks is told so, whatever is installed.
      renderTerraform ??= loadTerraformRenderer();
      const collector = release ? new Collector(count) : undefined;
      try {
        // The manifests first: their files are serialized on the worker while the rest of the environment renders.
        renderManifests(environment, files, collector);
        // The model was validated above: its renderers need not count its constructs again.
        renderValidated([chart.cluster], () => {
          addEnvironmentFiles(environment, files);
          for (const file of renderTerraform!([chart.cluster])) files.addText(file);
        });
        if (collector) {
          leaveModel(chart);
          // Before the next environment is built, or the worker's texts come back.
          collector.collect();
        }
      } catch (error) {
        // A problem found while rendering (a JSON patch that moved an object): the environments after it are still checked.
        if (error instanceof SynthError) return error.problems;
        throw error;
      }
      // Kept only where they are not released: a cluster holds its whole environment's model.
      if (!release) clusters.push(chart.cluster);
      return [];
    });
    if (problems.length > 0) throw new SynthError(problems, warnings);
    return { rendering: { files: files.finish(), warnings }, clusters, written: files.written };
  } catch (error) {
    void files.abandon();
    throw error;
  }
}

/**
 * One valid environment's manifests, added to `files`. With a `collector`,
 * each file's objects are released once rendered.
 */
function renderManifests({ name, header, manifests: laidOut }: Environment, files: YamlFileWriter, collector?: Collector): void {
  // Once a large environment is built and validated.
  collector?.collect();
  laidOut.forEach((file, index) => {
    files.add({ path: `${name}/manifests/${file.name}`, header, objects: file.objects.map(renderObject) });
    if (collector) {
      collector.rendered(file.objects.length);
      laidOut[index] = releaseObjects(file);
    }
  });
}

/** An environment's node layer files, its summary, runbook and alert rules, added to `files` (the YAML serialized there, as the manifests). */
function addEnvironmentFiles({ chart, name, header, warnings }: Environment, files: YamlFileWriter): void {
  const comment = `<!-- ${header.replace(/\n/g, '\n     ')} -->`;
  for (const file of nodeFiles(chart.cluster)) {
    const path = `${name}/${file.path}`;
    if ('documents' in file) files.add({ path, header, objects: file.documents });
    // cloud-init reads user-data as cloud-config only if `#cloud-config` is its first line.
    else if ('cloudConfig' in file) files.add({ path, header, objects: [file.cloudConfig], firstLine: '#cloud-config' });
    else files.addText({ path, content: `${hashComment(header)}\n${file.text}` });
  }
  files.addText({ path: `${name}/SUMMARY.md`, content: `${comment}\n${environmentSummary(chart.cluster, warnings)}` });
  files.addText({ path: `${name}/${ETCD_RESTORE_FILE}`, content: `${comment}\n${etcdRestoreRunbook(chart.cluster)}` });
  // The alert rules as Prometheus reads them, for review beside the summary and for promtool.
  files.add({ path: `${name}/${ALERT_RULES_FILE}`, header, objects: [{ groups: chart.cluster.alertGroups.map(ruleFileGroup) }] });
}

/**
 * Objects rendered between two full collections of a large estate's garbage.
 * Each marks the whole model still alive (some 85 ms at first, on the main
 * thread): 5,000 tenants take 2.74–2.95 s and peak at 436–442 MiB with
 * 40,000, 2.90–3.17 s and 429–431 MiB with 20,000 (five runs each, taking
 * turns; the worker collecting its own, `WORKER_OBJECTS_PER_COLLECTION`).
 */
const OBJECTS_PER_COLLECTION = 40_000;
/** Environments of fewer objects (2,000 tenants) stay well within memory without help: a full collection costs them time only. */
const LARGE_ESTATE = 26_000;

/**
 * Full garbage collections while a large environment renders, where the
 * process exposes them (`--expose-gc`, in `SYNTH_NODE_OPTIONS`): once it is
 * built and validated, every `OBJECTS_PER_COLLECTION` objects released, and
 * once it is rendered (before the next one is built, or the serialized files
 * are gathered). V8 would otherwise let the heap grow well past the live
 * model before its next full collection (5,000 tenants, some 180 MiB alive,
 * peak at some 570 MiB without any). Smaller environments are left alone: a
 * synth holds one environment's model at a time.
 */
export class Collector {
  private sinceLast = 0;

  constructor(private readonly objects: number, private readonly gc = (globalThis as { gc?: () => void }).gc) {}

  public collect(): void {
    if (this.objects >= LARGE_ESTATE) this.gc?.();
  }

  public rendered(objects: number): void {
    this.sinceLast += objects;
    if (this.sinceLast >= OBJECTS_PER_COLLECTION) {
      this.sinceLast = 0;
      this.collect();
    }
  }
}

/** Takes an environment out of the model, so that nothing of it need live on once it is rendered. */
function leaveModel(chart: EnvironmentChart): void {
  chart.node.scope!.node.tryRemoveChild(chart.node.id);
}

/**
 * Takes a rendered file's objects out of the construct tree, and out of the
 * layout, so that a large estate's objects do not all live until the end of
 * the synth: each can be collected once its file is rendered.
 */
function releaseObjects(file: ManifestFile<ApiObject>): ManifestFile<ApiObject> {
  for (const object of file.objects) object.node.scope?.node.tryRemoveChild(object.node.id);
  return { name: file.name, objects: [] };
}

/**
 * An object as JSON (`objectJson`: what its `toJson()` returns). Unlike
 * `Chart.toJson()`, this does not validate the whole app again for every
 * chart: validation ran once, above. The object was
 * placed in its file by the kind and namespace it was created with; a JSON
 * patch that changed them would put it in the wrong file.
 */
export function renderObject(object: ApiObject): KubeObject {
  const json = objectJson(object) as KubeObject;
  const changed = json.kind !== object.kind ? ['kind', json.kind, object.kind]
    : json.metadata.namespace !== object.metadata.namespace ? ['metadata.namespace', json.metadata.namespace, object.metadata.namespace]
      : undefined;
  if (changed) {
    const [field, rendered, created] = changed;
    throw new SynthError([`[${object.node.path}] ${field} = ${JSON.stringify(rendered)}: must stay ${JSON.stringify(created)} as the object `
      + 'was created with, since manifests are laid out by kind and namespace before rendering (a JSON patch must not change them)']);
  }
  return json;
}
