import { Testing } from 'cdk8s';
import { spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ClusterSpec, kubeadmInitDocuments, kubeadmJoinPoolDocument, ProductionCluster, Versions } from '../../../constructs';
import { cloudInitConfig, containerdConfig, pauseImage } from '../../../constructs/nodes/node-bootstrap';
import { clusterSpec } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';
import { shellCommands } from '../../helpers/shell';

const layerOf = (overrides: Partial<ClusterSpec> = {}) => new ProductionCluster(Testing.chart(), 'cluster', clusterSpec(overrides)).nodeLayer;

interface WrittenFile { path: string; content: string; permissions: string; owner: string }
const fileAt = (config: Record<string, unknown>, path: string) => (config.write_files as WrittenFile[]).find(file => file.path === path);

function poolConfig(overrides: Partial<ClusterSpec> = {}) {
  const layer = layerOf(overrides);
  const pool = layer.pools[0];
  const host = pool.hosts[0];
  return cloudInitConfig(layer, pool, {
    command: 'join', host, kubeadmDocuments: [kubeadmJoinPoolDocument(layer, pool, host)], kubeletPatch: pool.kubeletConfiguration(layer.dnsDomain),
  });
}

describe('the node bootstrap (cloud-init)', () => {
  const config = poolConfig();
  const script = fileAt(config, '/usr/local/sbin/prodk8s-bootstrap')!;

  test('loads overlay and br_netfilter, and sets the kernel parameters of pod networking and the hardened kubelet', () => {
    expect(fileAt(config, '/etc/modules-load.d/prodk8s.conf')!.content).toBe('overlay\nbr_netfilter\n');
    const sysctl = fileAt(config, '/etc/sysctl.d/90-prodk8s.conf')!.content;
    expect(sysctl).toContain('net.ipv4.ip_forward = 1\n');
    expect(sysctl).toContain('net.bridge.bridge-nf-call-iptables = 1\n');
    expect(sysctl).toContain('kernel.panic_on_oops = 1\n');
  });

  test('configures containerd 2 with the systemd cgroup driver and the sandbox image of the Kubernetes minor', () => {
    expect(fileAt(config, '/etc/containerd/config.toml')!.content).toBe(containerdConfig('1.36.4'));
    expect(containerdConfig('1.36.4')).toContain("version = 3\n");
    expect(containerdConfig('1.36.4')).toContain("  sandbox = 'registry.k8s.io/pause:3.10.2'\n");
    expect(containerdConfig('1.36.4')).toContain("[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n");
    expect(pauseImage('1.31.2')).toBe('registry.k8s.io/pause:3.10');
  });

  test('knows the sandbox image of every supported minor', () => {
    const { oldestMinor, newestMinor } = Versions.kubernetes;
    for (let minor = Number(oldestMinor.split('.')[1]); minor <= Number(newestMinor.split('.')[1]); minor++) {
      expect(pauseImage(`1.${minor}.0`)).toMatch(/^registry\.k8s\.io\/pause:3\.\d+(\.\d+)?$/);
    }
  });

  test('bounds journald, leaves time servers to the image, and runs the bootstrap script once', () => {
    expect(fileAt(config, '/etc/systemd/journald.conf.d/90-prodk8s.conf')!.content).toBe('[Journal]\nStorage=persistent\nSystemMaxUse=2048M\nSystemKeepFree=15%\nMaxRetentionSec=2week\n');
    // cloud-init's ntp module would replace the image's time servers with public pools, unreachable offline.
    expect(config.ntp).toBeUndefined();
    expect(config.runcmd).toEqual([['/usr/local/sbin/prodk8s-bootstrap']]);
    expect(script.permissions).toBe('0755');
  });

  test('writes the pool\'s kubelet patch and the join configuration, the latter for root only, with its placeholders', () => {
    const patch = fileAt(config, '/etc/kubernetes/patches/kubeletconfiguration+merge.yaml')!;
    expect(JSON.parse(patch.content)).toMatchObject({ kind: 'KubeletConfiguration', maxPods: 110 });
    const kubeadm = fileAt(config, '/etc/kubernetes/prodk8s/kubeadm.yaml')!;
    expect(kubeadm.permissions).toBe('0600');
    expect(JSON.parse(kubeadm.content)).toMatchObject({
      kind: 'JoinConfiguration', patches: { directory: '/etc/kubernetes/patches' },
      nodeRegistration: { name: 'test-general-1', kubeletExtraArgs: expect.arrayContaining([{ name: 'node-ip', value: '10.0.1.10' }]) },
    });
    expect(kubeadm.content).toContain('${KUBEADM_BOOTSTRAP_TOKEN}');
  });

  test('checks what the host must bring before changing anything, then joins', () => {
    const lines = script.content.split('\n');
    const joined = lines.indexOf('kubeadm join --config /etc/kubernetes/prodk8s/kubeadm.yaml');
    expect(lines[0]).toBe('#!/bin/sh');
    expect(lines).toContain('set -eu');
    for (const check of ['10.0.1.10, the node\'s address in the model, is on no interface of this machine', 'cgroup v2 is required',
      'containerd 2 is required', 'kubeadm v1.36.4 is required', 'kubelet v1.36.4 is required', 'time synchronisation is off']) {
      const line = lines.findIndex(l => l.includes(check));
      expect(line).toBeGreaterThan(0);
      expect(line).toBeLessThan(lines.indexOf('swapoff -a'));
    }
    expect(joined).toBeGreaterThan(lines.indexOf('sysctl -p /etc/sysctl.d/90-prodk8s.conf >/dev/null'));
    expect(lines.indexOf('systemctl enable containerd kubelet')).toBeLessThan(joined);
    // The configuration holds the bootstrap token: removed once joined.
    expect(lines[joined + 2]).toBe('rm -f /etc/kubernetes/prodk8s/kubeadm.yaml');
    // The placeholder checks name them without `${`, which the provisioning tool's templating would fill in there too.
    expect(script.content).toContain("grep -qF 'KUBEADM_BOOTSTRAP_TOKEN}' /etc/kubernetes/prodk8s/kubeadm.yaml && fail");
    expect(script.content).not.toContain('${');
    expect(spawnSync('sh', ['-n'], { input: script.content }).status).toBe(0);
  });

  test('checks the kernel for kube-proxy in nftables mode only', () => {
    expect(script.content).not.toContain('5.13');
    const nftables = fileAt(poolConfig({ kubeProxy: { mode: 'nftables' } }), '/usr/local/sbin/prodk8s-bootstrap')!.content;
    expect(nftables).toContain('kube-proxy in nftables mode needs kernel 5.13 or newer');
  });

  test('initializes the cluster on the first control plane node, with no kubelet patch', () => {
    const layer = layerOf();
    const init = cloudInitConfig(layer, layer.controlPlane.nodes, { command: 'init', host: layer.controlPlane.nodes.hosts[0], kubeadmDocuments: kubeadmInitDocuments(layer) });
    expect(fileAt(init, '/etc/kubernetes/patches/kubeletconfiguration+merge.yaml')).toBeUndefined();
    expect(fileAt(init, '/usr/local/sbin/prodk8s-bootstrap')!.content).toContain('kubeadm init --config /etc/kubernetes/prodk8s/kubeadm.yaml --upload-certs');
    expect(fileAt(init, '/usr/local/sbin/prodk8s-bootstrap')!.content).toContain("grep -qF 'KUBEADM_CERTIFICATE_KEY}'");
  });

  describe('run against a scratch copy of its configuration', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prodk8s-bootstrap-'));
    const kubeadm = fileAt(config, '/etc/kubernetes/prodk8s/kubeadm.yaml')!.content;
    /** Runs the script's lines that `keep` selects, then prints `checked`; the configuration is `configuration`. */
    const probe = (keep: (line: string) => boolean, configuration: string, env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin' }) => {
      writeFileSync(join(folder, 'kubeadm.yaml'), configuration);
      const lines = shellCommands(script.content).filter(line => line.startsWith('set -eu') || line.startsWith('fail()') || keep(line));
      writeFileSync(join(folder, 'probe.sh'), [...lines, 'echo checked', ''].join('\n').replaceAll('/etc/kubernetes/prodk8s/kubeadm.yaml', join(folder, 'kubeadm.yaml')));
      return spawnSync('/bin/sh', [join(folder, 'probe.sh')], { encoding: 'utf8', env });
    };

    test('stops while a placeholder is not filled in, and goes on once the provisioning tool has filled them', () => {
      const unfilled = probe(line => line.startsWith('grep -qF'), kubeadm);
      expect(unfilled).toMatchObject({ status: 1, stdout: '' });
      expect(unfilled.stderr).toBe('prodk8s-bootstrap: KUBEADM_BOOTSTRAP_TOKEN was not filled in: render this user-data with the provisioning tool first\n');
      const filled = kubeadm.replaceAll('${KUBEADM_BOOTSTRAP_TOKEN}', 'abcdef.0123456789abcdef').replaceAll('${KUBEADM_CA_CERT_HASH}', 'sha256:00');
      expect(probe(line => line.startsWith('grep -qF'), filled)).toMatchObject({ status: 0, stdout: 'checked\n' });
    });

    test('goes on, on a host that brings what it needs, as the real tools report it', () => {
      const bin = join(folder, 'bin');
      mkdirSync(bin, { recursive: true });
      const fake = (name: string, output: string) => {
        writeFileSync(join(bin, name), `#!/bin/sh\necho '${output}'\n`);
        chmodSync(join(bin, name), 0o755);
      };
      fake('ip', '2: eth0    inet 10.0.1.10/24 brd 10.0.1.255 scope global eth0');
      fake('containerd', 'containerd containerd.io v2.1.4 75cb2b7193e4e490e9fbdc236c0e811ccaba3376');
      fake('kubeadm', 'v1.36.4');
      fake('kubelet', 'Kubernetes v1.36.4');
      fake('timedatectl', 'yes');
      fake('crictl', '');
      fake('conntrack', '');
      // Every host check but cgroup v2's, which reads /sys of the test machine; the placeholders are another test's.
      const hostChecks = (line: string) => line.includes('fail') && !line.includes('cgroup') && !line.startsWith('grep -qF');
      const result = probe(hostChecks, kubeadm, { PATH: `${bin}:/usr/bin:/bin` });
      expect(result).toMatchObject({ status: 0, stdout: 'checked\n', stderr: '' });
      fake('kubeadm', 'v1.36.3');
      const older = probe(hostChecks, kubeadm, { PATH: `${bin}:/usr/bin:/bin` });
      expect(older).toMatchObject({ status: 1, stderr: 'prodk8s-bootstrap: kubeadm v1.36.4 is required: v1.36.3\n' });
    });

    test('stops on a host without containerd 2', () => {
      const result = probe(line => line.includes('containerd'), kubeadm, { PATH: join(folder, 'nothing-installed') });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe('prodk8s-bootstrap: containerd 2 is required\n');
    });
  });
});

describe('registry mirrors', () => {
  const MIRRORS = { 'registry.k8s.io': ['https://mirror.internal:5000'], 'docker.io': ['https://hub-cache.internal', 'https://mirror.internal:5000'] };
  const config = poolConfig({ images: { mirrors: MIRRORS } });

  test('point containerd at a hosts.toml per registry: its mirrors in order, then the registry itself', () => {
    expect(fileAt(config, '/etc/containerd/config.toml')!.content).toContain("[plugins.'io.containerd.cri.v1.images'.registry]\n  config_path = '/etc/containerd/certs.d'\n");
    expect(fileAt(config, '/etc/containerd/certs.d/registry.k8s.io/hosts.toml')!.content)
      .toBe('server = "https://registry.k8s.io"\n\n[host."https://mirror.internal:5000"]\n  capabilities = ["pull", "resolve"]\n');
    // Docker Hub's images are served by registry-1.docker.io.
    expect(fileAt(config, '/etc/containerd/certs.d/docker.io/hosts.toml')!.content).toBe([
      'server = "https://registry-1.docker.io"', '', '[host."https://hub-cache.internal"]', '  capabilities = ["pull", "resolve"]',
      '', '[host."https://mirror.internal:5000"]', '  capabilities = ["pull", "resolve"]', '',
    ].join('\n'));
  });

  test('change nothing without mirrors', () => {
    const plain = poolConfig();
    expect(fileAt(plain, '/etc/containerd/config.toml')!.content).not.toContain('config_path');
    expect((plain.write_files as WrittenFile[]).some(file => file.path.startsWith('/etc/containerd/certs.d/'))).toBe(false);
  });

  test('refuse what is no registry host, no URL, an empty list, or a URL with credentials, without showing them', () => {
    const problems = problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ images: { mirrors: {
      'https://registry.k8s.io': ['https://mirror.internal'], 'quay.io': [], 'ghcr.io': ['mirror.internal', 'ftp://mirror.internal', 'https://mirror.internal/a\\"b'],
      'docker.io': ['https://robot:s3cret@mirror.internal'],
    } } })));
    expect(problems).toEqual([
      '[test/cluster] images.mirrors = "https://registry.k8s.io": must be a registry host as image references name it, such as registry.k8s.io, docker.io or registry.internal:5000',
      '[test/cluster] images.mirrors.quay.io = []: must list at least one mirror URL',
      '[test/cluster] images.mirrors.ghcr.io[0] = "mirror.internal": must be an http or https URL such as https://mirror.internal:5000',
      '[test/cluster] images.mirrors.ghcr.io[1] = "ftp://mirror.internal": must be an http or https URL such as https://mirror.internal:5000',
      '[test/cluster] images.mirrors.ghcr.io[2] = "https://mirror.internal/a\\\\\\"b": must be an http or https URL such as https://mirror.internal:5000',
      '[test/cluster] images.mirrors.docker.io[0] = "(not shown)": must hold no credentials: they would be written in the clear; give them in containerd\'s own configuration',
    ]);
    expect(problems.join('\n')).not.toContain('s3cret');
  });
});
