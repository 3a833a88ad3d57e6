import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { renderEnvironments } from '../../synth/synthesize';
import { REFERENCE_ENVIRONMENTS } from '../../src/environments';
import { SHARED } from '../helpers/kubeadm-reader';

// Kubespray's own checks, at the pinned commit, on the inventory of every
// reference environment: ../shared/tools/kubespray-check (its README says
// what it runs). It needs Debian's ansible, python3-netaddr and
// python3-jmespath, which .ci/run installs. About half a minute.
jest.setTimeout(600_000);

const run = resolve(SHARED, 'tools/kubespray-check/run.sh');

/** Writes `files` below a new folder and returns it. */
function written(files: readonly { path: string; content: string }[]): string {
  const folder = mkdtempSync(join(tmpdir(), 'prodk8s-kubespray-'));
  for (const file of files) {
    mkdirSync(dirname(join(folder, file.path)), { recursive: true });
    writeFileSync(join(folder, file.path), file.content);
  }
  return folder;
}

/** Runs Kubespray's checks on the environments in `dist`; returns the exit status and what they printed. */
function kubesprayCheck(dist: string): { status: number | null; output: string } {
  if (!existsSync(run)) throw new Error(`${run} is missing: the Kubespray tests need ../shared (or PRODK8S_SHARED) with tools/kubespray-check`);
  const result = spawnSync('bash', [run, dist, '', mkdtempSync(join(tmpdir(), 'prodk8s-kubespray-out-'))], { encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  if (/ansible-playbook: (command )?not found/.test(output)) {
    throw new Error('ansible-playbook is not installed: the Kubespray tests need Debian\'s ansible, python3-netaddr and python3-jmespath');
  }
  return { status: result.status, output };
}

describe('Kubespray\'s own checks of the inventories', () => {
  let check: { status: number | null; output: string };
  beforeAll(() => {
    check = kubesprayCheck(written(renderEnvironments(REFERENCE_ENVIRONMENTS).files));
  });

  test.each(REFERENCE_ENVIRONMENTS.map(spec => spec.name))('%s: every assertion of validate_inventory and the preinstall checks holds', name => {
    expect(check.output).toMatch(new RegExp(`== ${name}\\nassertion/task results: \\{'ok': [1-9]\\d*, 'failed': 0, 'ignored': 0, 'skipped': \\d+\\}; 0 distinct failure\\(s\\)`));
  });

  test.each(REFERENCE_ENVIRONMENTS.map(spec => spec.name))('%s: Kubespray renders every kubelet field prodk8s sets with the same value', name => {
    expect(check.output).toMatch(new RegExp(`${name}: 0 field\\(s\\) where Kubespray's kubelet config differs from prodk8s's for pools \\['control-plane'`));
  });

  test.each(REFERENCE_ENVIRONMENTS.map(spec => spec.name))('%s: no variable is lost on hosts outside k8s_cluster', name => {
    expect(check.output).toMatch(new RegExp(`${name}: etcd-only hosts .*; 0 k8s_cluster variable\\(s\\) lost on them`));
  });

  test('prod\'s dedicated etcd hosts are among those checked', () => {
    expect(check.output).toContain("prod: etcd-only hosts ['prod-etcd-1', 'prod-etcd-2', 'prod-etcd-3']; 0 k8s_cluster variable(s) lost on them");
  });

  test('Kubespray reads every variable the inventories set, and the whole check passes', () => {
    expect(check.output).not.toMatch(/^UNKNOWN|^docs-only/m);
    expect(check.output).toContain('0 variable(s) not read by Kubespray\'s roles/playbooks');
    expect(check.status).toBe(0);
  });

  test('finds an inventory variable Kubespray never reads, so it can fail', () => {
    const files = renderEnvironments([REFERENCE_ENVIRONMENTS[0]]).files.map(file => (file.path.endsWith('group_vars/all/k8s-cluster.yml')
      ? { ...file, content: `${file.content}kube_verison: 1.36.4\n` } : file));
    const broken = kubesprayCheck(written(files));
    expect(broken.output).toMatch(/^UNKNOWN +kube_verison/m);
    // The variable check reports without failing the script: its count is what these tests hold to 0.
    expect(broken.output).toContain('1 variable(s) not read by Kubespray\'s roles/playbooks');
  });
});
