import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { parseAllDocuments } from 'yaml';
import { renderEnvironments } from '../../synth/synthesize';
import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { applyKubeletPatch, readKubeadmConfig } from '../helpers/kubeadm-reader';

// Every kubeadm file and every kubelet patch, read by kubeadm's own reading
// rules (../shared/tools/kubeadm-config-reader, or a real kubeadm).
const folder = mkdtempSync(join(tmpdir(), 'prodk8s-kubeadm-'));
const files = renderEnvironments(REFERENCE_ENVIRONMENTS).files.filter(file => file.path.includes('/node/'));
for (const file of files) {
  mkdirSync(dirname(join(folder, file.path)), { recursive: true });
  writeFileSync(join(folder, file.path), file.content);
}

describe.each(REFERENCE_ENVIRONMENTS.map(spec => spec.name))('the kubeadm files of %s', name => {
  const kubeadmFiles = files.map(file => file.path).filter(path => path.startsWith(`${name}/node/`) && /\/(kubeadm-[^/]*|kube-proxy)\.yaml$/.test(path));
  const patches = files.map(file => file.path).filter(path => path.startsWith(`${name}/node/`) && path.endsWith('/kubelet.yaml'));

  test('are there: init, a join per pool and further control plane node, kube-proxy', () => {
    expect(kubeadmFiles).toContain(`${name}/node/kubeadm-init.yaml`);
    expect(kubeadmFiles.filter(path => path.includes('/pools/'))).toHaveLength(REFERENCE_ENVIRONMENTS.find(s => s.name === name)!.nodePools.length);
    expect(patches.length).toBeGreaterThan(1);
  });

  test.each(kubeadmFiles.map(path => [path]))('%s reads as kubeadm --config reads it', path => {
    const verdict = readKubeadmConfig(join(folder, path));
    expect(verdict.output).not.toContain('FAIL');
    expect(verdict.ok).toBe(true);
  });

  test.each(patches.map(path => [path]))('%s applies as a kubelet patch over the cluster\'s KubeletConfiguration', path => {
    // A joining node's kubelet starts from the cluster-wide KubeletConfiguration of kubeadm-init.yaml.
    const init = files.find(file => file.path === `${name}/node/kubeadm-init.yaml`)!;
    const kubelet = parseAllDocuments(init.content).map(d => d.toJS()).find(d => d.kind === 'KubeletConfiguration');
    const target = join(folder, name, 'kubelet-target.yaml');
    writeFileSync(target, JSON.stringify(kubelet));
    const verdict = applyKubeletPatch(target, join(folder, path));
    expect(verdict.output).toMatch(/^ok /);
    expect(verdict.ok).toBe(true);
  });
});

describe('the reader', () => {
  test('refuses a file that starts with a comment-only document, so these tests can fail', () => {
    const path = join(folder, 'commented.yaml');
    writeFileSync(path, '# a header\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n');
    const verdict = readKubeadmConfig(path);
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toContain('kind and apiVersion is mandatory information that must be specified');
  });

  test('refuses a kubelet patch that starts with a comment-only document', () => {
    const target = join(folder, 'target.yaml');
    writeFileSync(target, JSON.stringify({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration' }));
    const patch = join(folder, 'commented-patch.yaml');
    writeFileSync(patch, '# a header\n---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: 50\n');
    expect(applyKubeletPatch(target, patch)).toMatchObject({ ok: false, output: expect.stringContaining('Invalid JSON Patch') });
  });
});
