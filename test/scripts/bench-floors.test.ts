import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join } from 'path';
import { parseAllDocuments } from 'yaml';
import { manifestObjects, renderWithFrameworks, serializeAlone, synthOutput } from '../../scripts/bench/floors';
import { syntheticEstate } from '../../scripts/bench/synthetic-estate';
import { renderEnvironments } from '../../synth/synthesize';

// The benchmark's ratios compare like with like only if the floors render
// exactly what the synth wrote: these tests hold them to it.
const { files } = renderEnvironments([syntheticEstate(3)]);
const output = synthOutput(files);
let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'prodk8s-floors-'));
});

afterEach(() => rmSync(folder, { recursive: true, force: true }));

const documentsIn = (path: string) => parseAllDocuments(readFileSync(path, 'utf8')).map(document => document.toJS());

describe('synthOutput', () => {
  test('sorts every file of the synth into exactly one kind', () => {
    const manifestFiles = files.filter(file => file.path.startsWith('bench-3/manifests/'));
    expect(manifestFiles.length).toBeGreaterThan(3);
    expect(manifestFiles.length + output.yaml.length + output.text.length + output.terraform.length).toBe(files.length);
    expect(output.terraform.map(stack => stack.stack)).toEqual(['bench-3']);
    expect(output.text.map(file => file.path)).toContain('bench-3/SUMMARY.md');
    expect(output.yaml.map(file => file.path)).toContain('bench-3/kubespray/inventory/hosts.yaml');
  });

  test('keeps every manifest file, with its objects in order', () => {
    const manifestFiles = files.filter(file => file.path.includes('/manifests/'));
    expect(output.manifests.map(file => file.path)).toEqual(manifestFiles.map(file => file.path));
    expect(manifestObjects(output)).toEqual(manifestFiles.flatMap(file => parseAllDocuments(file.content).map(d => d.toJS())));
    expect(manifestObjects(output).filter((o: any) => o.kind === 'Namespace' && o.metadata.name === 'team-2')).toHaveLength(1);
  });
});

describe('renderWithFrameworks', () => {
  test('renders the same manifest files through plain cdk8s', () => {
    renderWithFrameworks(output, folder);
    expect(readdirSync(join(folder, 'cdk8s', 'bench-3', 'manifests')).sort()).toEqual(output.manifests.map(file => basename(file.path)).sort());
    for (const { path, objects } of output.manifests) expect(documentsIn(join(folder, 'cdk8s', path))).toEqual(objects);
  });

  test('renders the same Terraform stack through plain cdktf, but for its own metadata', () => {
    renderWithFrameworks(output, folder);
    const plain = JSON.parse(readFileSync(join(folder, 'cdktf', 'stacks', 'bench-3', 'cdk.tf.json'), 'utf8'));
    const { '//': ours, ...synthesized } = output.terraform[0].json;
    const { '//': theirs, ...rendered } = plain;
    expect(rendered).toEqual(synthesized);
    expect(Object.keys((rendered as any).resource.helm_release)).toContain('kube-prometheus-stack');
    expect([(ours as any).metadata.stackName, theirs.metadata.stackName]).toEqual(['bench-3', 'bench-3']);
  });

  test('writes the other files with the same content', () => {
    renderWithFrameworks(output, folder);
    for (const { path, documents } of output.yaml) expect(documentsIn(join(folder, 'files', path))).toEqual(documents);
    for (const { path, content } of output.text) expect(readFileSync(join(folder, 'files', path), 'utf8')).toBe(content);
  });
});

describe('serializeAlone', () => {
  test('serializes every YAML document and the Terraform JSON', () => {
    serializeAlone(output, folder);
    expect(documentsIn(join(folder, 'objects.yaml'))).toEqual([...manifestObjects(output), ...output.yaml.flatMap(file => file.documents)]);
    expect(JSON.parse(readFileSync(join(folder, 'terraform.json'), 'utf8'))).toEqual(output.terraform.map(stack => stack.json));
  });

  test('serializes file by file, as the synth does: each file\'s documents in a call of their own', () => {
    serializeAlone(output, folder);
    const headers = readFileSync(join(folder, 'objects.yaml'), 'utf8').split('\n').filter(line => line === '# objects');
    expect(headers).toHaveLength(output.manifests.length + output.yaml.length);
    expect(output.manifests.length).toBeGreaterThan(1);
  });
});
