// The two floors a synth is measured against, rendering exactly what it wrote.
import { writeFileSync } from 'fs';
import { basename, dirname, join } from 'path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { App as TerraformApp, TerraformStack } from 'cdktf';
import { parseAllDocuments } from 'yaml';
import { OutputFile, writeFiles } from '../../synth/output-folder';
import { yamlDocuments } from '../../synth/yaml-files';

/** What a synth wrote, as plain data. */
export interface SynthOutput {
  /** The manifest files, each with its objects in order. */
  readonly manifests: { readonly path: string; readonly objects: object[] }[];
  /** The other YAML files (node layer, Kubespray inventory), document by document. */
  readonly yaml: { readonly path: string; readonly documents: object[] }[];
  /** The files that are neither YAML nor Terraform (summary, sysctl). */
  readonly text: OutputFile[];
  /** Each environment's Terraform stack. */
  readonly terraform: { readonly stack: string; readonly json: Record<string, unknown> }[];
}

/** A synth's files as plain data, by kind of file. */
export function synthOutput(files: readonly OutputFile[]): SynthOutput {
  const documents = (content: string) => parseAllDocuments(content).map(document => document.toJS() as object);
  const output: SynthOutput = { manifests: [], yaml: [], text: [], terraform: [] };
  for (const file of files) {
    if (file.path.includes('/manifests/')) output.manifests.push({ path: file.path, objects: documents(file.content) });
    else if (file.path.endsWith('/cdk.tf.json')) output.terraform.push({ stack: file.path.split('/')[0], json: JSON.parse(file.content) });
    else if (/\.ya?ml$/.test(file.path)) output.yaml.push({ path: file.path, documents: documents(file.content) });
    else output.text.push(file);
  }
  return output;
}

/** Every manifest object, in file order. */
export function manifestObjects(output: SynthOutput): object[] {
  return output.manifests.flatMap(file => file.objects);
}

/**
 * The floor of the frameworks: the same files rendered by bare cdk8s and
 * cdktf into `folder`. Each manifest file is a chart of plain `ApiObject`s in
 * an app of its own (`cdk8s/<env>/manifests/<file>`): in one app, cdk8s
 * would validate and resolve the whole app again for every chart, which
 * grows with the square of the files. Each Terraform stack is a plain
 * `TerraformStack` holding the same JSON (`cdktf/stacks/<env>/cdk.tf.json`),
 * the other YAML files are written with cdk8s's `Yaml` and the text files as
 * they are (`files/<path>`).
 */
export function renderWithFrameworks(output: SynthOutput, folder: string): void {
  for (const file of output.manifests) {
    const app = new App({ outdir: join(folder, 'cdk8s', dirname(file.path)), outputFileExtension: '.yaml' });
    const chart = new Chart(app, basename(file.path, '.yaml'), { disableResourceNameHashes: true });
    file.objects.forEach((object, i) => new ApiObject(chart, String(i), object as any));
    app.synth();
  }
  const terraform = new TerraformApp({ outdir: join(folder, 'cdktf') });
  for (const { stack, json } of output.terraform) {
    const plain = new TerraformStack(terraform, stack);
    for (const [block, content] of Object.entries(json)) plain.addOverride(block, content);
  }
  terraform.synth();
  writeFiles({ directory: join(folder, 'files') }, [...output.yaml.map(({ path, documents }) => ({ path, content: Yaml.stringify(...documents) })), ...output.text]);
}

/**
 * The floor of the work: every YAML document serialized with prodk8s's
 * writer, file by file as the synth serializes them, into one file,
 * `folder/objects.yaml`, and the Terraform JSON into `folder/terraform.json`.
 * (One call over every document at once holds all their syntax trees alive
 * together: 18–31 % slower, so no floor.)
 */
export function serializeAlone(output: SynthOutput, folder: string): void {
  const files = [...output.manifests.map(file => file.objects), ...output.yaml.map(file => file.documents)];
  writeFileSync(join(folder, 'objects.yaml'), files.map(documents => yamlDocuments(documents, 'objects')).join(''));
  writeFileSync(join(folder, 'terraform.json'), JSON.stringify(output.terraform.map(stack => stack.json), undefined, 2));
}
