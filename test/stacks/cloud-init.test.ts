import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { renderEnvironments } from '../../synth/synthesize';
import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { applyKubeletPatch, readKubeadmConfig } from '../helpers/kubeadm-reader';

// Every node bootstrap of every reference environment, read by the programs
// that read it: cloud-init's own schema check (Debian's cloud-init, which
// .ci/run installs), and kubeadm's reading rules for what it writes.
const folder = mkdtempSync(join(tmpdir(), 'prodk8s-cloud-init-'));
const files = renderEnvironments(REFERENCE_ENVIRONMENTS).files;
const bootstraps = files.filter(file => /\/node\/.*cloud-init[^/]*\.yaml$/.test(file.path));
const write = (path: string, content: string) => {
  mkdirSync(dirname(join(folder, path)), { recursive: true });
  writeFileSync(join(folder, path), content);
  return join(folder, path);
};

/** `cloud-init schema --config-file`: its exit status and words. */
function cloudInitSchema(path: string): { status: number | null; output: string } {
  const result = spawnSync('cloud-init', ['schema', '--config-file', path], { encoding: 'utf8' });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('cloud-init is not installed: the bootstrap tests need Debian\'s cloud-init (apt-get install --no-install-recommends cloud-init)');
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

interface WrittenFile { path: string; content: string }

describe('the node bootstraps', () => {
  test('are one per machine, in every environment', () => {
    for (const spec of REFERENCE_ENVIRONMENTS) {
      const paths = bootstraps.map(file => file.path).filter(path => path.startsWith(`${spec.name}/`));
      const count = (set: { count?: number; hosts?: readonly unknown[] }) => set.count ?? set.hosts!.length;
      expect(paths.filter(path => path.includes('/pools/'))).toHaveLength(spec.nodePools.reduce((n, pool) => n + count(pool), 0));
      expect(paths.filter(path => path.includes('/control-plane/cloud-init-'))).toHaveLength(count(spec.controlPlane));
    }
  });

  describe.each(bootstraps.map(file => [file.path, file.content]))('%s', (path, content) => {
    const config = parse(content) as { write_files: WrittenFile[] };
    const written = (name: string) => config.write_files.find(file => file.path === name);

    test('is cloud-config, as cloud-init\'s own schema check reads it', () => {
      expect(content.split('\n')[0]).toBe('#cloud-config');
      expect(cloudInitSchema(write(path, content))).toEqual({ status: 0, output: `Valid cloud-config: ${join(folder, path)}` });
    });

    test('writes a kubeadm configuration that kubeadm reads, and a kubelet patch that applies', () => {
      const kubeadm = write(`${path}.kubeadm.yaml`, written('/etc/kubernetes/prodk8s/kubeadm.yaml')!.content);
      expect(readKubeadmConfig(kubeadm)).toMatchObject({ ok: true });
      const patch = written('/etc/kubernetes/patches/kubeletconfiguration+merge.yaml');
      expect(patch === undefined).toBe(path.includes('/control-plane/'));
      if (patch) {
        const env = path.split('/')[0];
        // A joining node's kubelet starts from the cluster-wide KubeletConfiguration of kubeadm-init.yaml.
        const init = parseAllDocuments(files.find(file => file.path === `${env}/node/kubeadm-init.yaml`)!.content).map(d => d.toJS());
        const target = write(`${path}.kubelet-target.yaml`, JSON.stringify(init.find(d => d.kind === 'KubeletConfiguration')));
        expect(applyKubeletPatch(target, write(`${path}.patch.yaml`, patch.content))).toMatchObject({ ok: true });
      }
    });
  });

  test('cloud-init\'s schema check refuses a broken bootstrap, so these tests can fail', () => {
    const broken = write('broken.yaml', '#cloud-config\nwrite_files: /etc/nothing\n');
    const result = cloudInitSchema(broken);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('write_files');
  });
});
