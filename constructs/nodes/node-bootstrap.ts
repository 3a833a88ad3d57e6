import * as semver from 'semver';
import { ImageRegistry } from '../core/image-registry';
import { Labels } from '../core/labels';
import { Versions } from '../versions';
import { KUBEADM_PATCHES_DIRECTORY, KubeadmPlaceholders } from './kubeadm-config';
import {
  CERTIFICATE_RENEWAL_SCRIPT, CERTIFICATE_RENEWAL_UNIT, certificateRenewalScript, certificateRenewalService, certificateRenewalTimer,
} from './certificate-lifecycle';
import { HostSpec } from './host-set';
import { journaldLimits } from './host-logs';
import { SUPER_ADMIN_CONF } from './kube-vip';
import { clusterPodCapacity, hostNetworkSysctls, KERNEL_MODULES, NodeLayer, registryServer } from './node-layer';
import { NodePool } from './node-pool';
import { NVIDIA_CONTAINER_RUNTIME, NVIDIA_GPU, NVIDIA_TOOLKIT_SETTINGS } from './node-sku';
import {
  ADMISSION_CONFIG_FILE, admissionConfiguration, AUDIT_POLICY_FILE, auditPolicy, AUTHENTICATION_CONFIG_FILE, authenticationConfiguration, ENCRYPTION_CONFIG_FILE, ENCRYPTION_KEY_PLACEHOLDER, encryptionConfiguration,
  KUBE_SYSTEM_QUOTA_FILE, SYSTEM_CRITICAL_QUOTA, systemCriticalQuota,
} from './api-server-hardening';

/** Where the bootstrap puts the node's kubeadm configuration; only root reads it, as it holds the join token. */
export const BOOTSTRAP_KUBEADM_CONFIG = '/etc/kubernetes/prodk8s/kubeadm.yaml';

/** The script that makes a machine a node: checks, host settings, then `kubeadm init` or `join`. */
export const BOOTSTRAP_SCRIPT = '/usr/local/sbin/prodk8s-bootstrap';

/** How a machine becomes a node: the first control plane node initializes the cluster, every other one joins it. */
export interface BootstrapRole {
  readonly command: 'init' | 'join';
  /** The machine: its kubeadm documents name it, and the script checks that its address is on the machine. */
  readonly host: HostSpec;
  /** The kubeadm `--config` documents of that command, placeholders in. */
  readonly kubeadmDocuments: readonly Record<string, unknown>[];
  /** The pool's KubeletConfiguration, applied as kubeadm's kubelet patch; none for the control plane, whose kubelet is the cluster's base. */
  readonly kubeletPatch?: Record<string, unknown>;
  /** kube-vip's static pod, on a control plane node whose endpoint is a virtual IP: it must hold the address before kubeadm needs it. */
  readonly kubeVipPod?: Record<string, unknown>;
  /**
   * A control plane node: the API server's audit policy and encryption configuration (its key a placeholder) go there
   * first, and the monthly renewal of the control plane's certificates after kubeadm.
   */
  readonly apiServerFiles?: boolean;
}

/** Where kubeadm's kubelet runs static pods from. */
const STATIC_POD_MANIFESTS = '/etc/kubernetes/manifests';

/**
 * The cloud-init user-data (`#cloud-config`) that makes a machine of `pool` a
 * node: kernel modules and parameters, swap off, containerd 2 with the
 * systemd cgroup driver and the pinned sandbox image, bounded journald, the
 * kubelet patch, then `kubeadm init` or `join` through a script that first
 * checks what the host must bring (its address, cgroup v2, containerd 2,
 * kubeadm and kubelet at the model's version, time synchronisation, a kernel
 * that runs the chosen kube-proxy mode) and stops with a message when it does
 * not. Time servers are the image's: cloud-init's ntp module would replace
 * them with public pools.
 *
 * Secrets stay placeholders (`${KUBEADM_BOOTSTRAP_TOKEN}` and friends): the
 * provisioning tool fills them in, never prodk8s.
 */
export function cloudInitConfig(layer: NodeLayer, pool: NodePool, role: BootstrapRole): Record<string, unknown> {
  const file = (path: string, content: string, permissions = '0644') => ({ path, owner: 'root:root', permissions, content });
  return {
    write_files: [
      file('/etc/modules-load.d/prodk8s.conf', KERNEL_MODULES.map(name => `${name}\n`).join('')),
      file('/etc/sysctl.d/90-prodk8s.conf', sysctlConf(layer, pool)),
      file('/etc/containerd/config.toml', containerdConfig(layer.kubernetesVersion, {
        mirrors: Object.keys(layer.registryMirrors).length > 0, imageRegistry: layer.imageRegistry, nvidia: pool.extendedResources.includes(NVIDIA_GPU),
      })),
      ...Object.keys(layer.registryMirrors).sort().map(registry => file(`${CONTAINERD_HOSTS}/${registry}/hosts.toml`, hostsToml(registry, layer.registryMirrors[registry]))),
      file('/etc/systemd/journald.conf.d/90-prodk8s.conf', journaldLimits(pool)),
      ...(role.kubeletPatch ? [file(`${KUBEADM_PATCHES_DIRECTORY}/kubeletconfiguration+merge.yaml`, JSON.stringify(role.kubeletPatch, null, 2) + '\n')] : []),
      ...(role.kubeVipPod ? [file(`${STATIC_POD_MANIFESTS}/kube-vip.yaml`, JSON.stringify(role.kubeVipPod, null, 2) + '\n', '0600')] : []),
      ...(role.apiServerFiles ? [
        file(AUDIT_POLICY_FILE, JSON.stringify(auditPolicy(), null, 2) + '\n', '0600'),
        file(ENCRYPTION_CONFIG_FILE, JSON.stringify(encryptionConfiguration(), null, 2) + '\n', '0600'),
        file(ADMISSION_CONFIG_FILE, JSON.stringify(admissionConfiguration(semver.minor(layer.kubernetesVersion)), null, 2) + '\n', '0600'),
        ...layer.oidc ? [file(AUTHENTICATION_CONFIG_FILE, JSON.stringify(authenticationConfiguration(layer.oidc, semver.minor(layer.kubernetesVersion)), null, 2) + '\n', '0600')] : [],
      ] : []),
      ...(role.command === 'init' ? [file(KUBE_SYSTEM_QUOTA_FILE, JSON.stringify(kubeSystemQuota(layer), null, 2) + '\n', '0600')] : []),
      ...(role.apiServerFiles ? [
        file(CERTIFICATE_RENEWAL_SCRIPT, certificateRenewalScript(), '0755'),
        file(`/etc/systemd/system/${CERTIFICATE_RENEWAL_UNIT}.service`, certificateRenewalService()),
        file(`/etc/systemd/system/${CERTIFICATE_RENEWAL_UNIT}.timer`, certificateRenewalTimer()),
      ] : []),
      file(BOOTSTRAP_KUBEADM_CONFIG, role.kubeadmDocuments.map(document => JSON.stringify(document, null, 2)).join('\n---\n') + '\n', '0600'),
      file(BOOTSTRAP_SCRIPT, bootstrapScript(layer, pool, role), '0755'),
    ],
    runcmd: [[BOOTSTRAP_SCRIPT]],
  };
}

/**
 * A pool's kernel parameters as a sysctl.d file, one per line by name: those
 * pod networking needs, those the hardened kubelet requires, the pool's own.
 */
export function sysctlConf(layer: NodeLayer, pool: NodePool): string {
  const sysctls = { ...hostNetworkSysctls(layer), ...pool.sysctls };
  return Object.keys(sysctls).sort().map(name => `${name} = ${sysctls[name]}\n`).join('');
}


/** kube-system's quota for the system PriorityClasses, as the manifests have it. */
export function kubeSystemQuota(layer: NodeLayer): Record<string, unknown> {
  return systemCriticalQuota('kube-system', clusterPodCapacity(layer), { [Labels.MANAGED_BY]: 'prodk8s' });
}

/** The names of the placeholders in a role's documents (`KUBEADM_BOOTSTRAP_TOKEN`, …), for the check that they were filled. */
function placeholdersOf(role: BootstrapRole): string[] {
  const text = JSON.stringify(role.kubeadmDocuments);
  return Object.values(KubeadmPlaceholders).filter(placeholder => text.includes(placeholder)).map(placeholder => placeholder.slice(2, -1));
}

/** Where containerd finds each registry's hosts.toml. */
const CONTAINERD_HOSTS = '/etc/containerd/certs.d';

export interface ContainerdOptions {
  /** Registry mirrors configured: containerd reads their hosts.toml files. */
  readonly mirrors?: boolean;
  /** The one registry every image comes from, the sandbox image included. */
  readonly imageRegistry?: ImageRegistry;
  /** A GPU node: NVIDIA's container runtime is the default. */
  readonly nvidia?: boolean;
}

/**
 * containerd 2's configuration (version 3): the systemd cgroup driver the
 * kubelet uses, and the sandbox (pause) image kubeadm expects for this
 * Kubernetes minor (from `images.registry` when the model has one), pinned so
 * that containerd never garbage-collects it; with mirrors, where their
 * hosts.toml files are; on GPU nodes NVIDIA's runtime as the default.
 */
export function containerdConfig(kubernetesVersion: string, options: ContainerdOptions = {}): string {
  const sandbox = pauseImage(kubernetesVersion);
  return [
    'version = 3',
    '',
    "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
    `  sandbox = '${options.imageRegistry?.image(sandbox) ?? sandbox}'`,
    '',
    ...(options.mirrors ? ["[plugins.'io.containerd.cri.v1.images'.registry]", `  config_path = '${CONTAINERD_HOSTS}'`, ''] : []),
    ...(options.nvidia ? [
      // GPU nodes run every container through NVIDIA's runtime, which hands it the GPUs the device plugin allocated.
      "[plugins.'io.containerd.cri.v1.runtime'.containerd]",
      "  default_runtime_name = 'nvidia'",
      '',
      "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.nvidia]",
      "  runtime_type = 'io.containerd.runc.v2'",
      '',
      "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.nvidia.options]",
      `  BinaryName = '${NVIDIA_CONTAINER_RUNTIME}'`,
      '  SystemdCgroup = true',
      '',
    ] : []),
    "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
    '  SystemdCgroup = true',
    '',
  ].join('\n');
}

/**
 * A registry's hosts.toml: its mirrors, tried in order for pulls, then the
 * registry itself (`server`), as Kubespray's template writes it.
 */
export function hostsToml(registry: string, mirrors: readonly string[]): string {
  return [
    `server = "${registryServer(registry)}"`,
    ...mirrors.flatMap(mirror => ['', `[host."${mirror}"]`, '  capabilities = ["pull", "resolve"]']),
    '',
  ].join('\n');
}

/** The sandbox image of a Kubernetes version, from `Versions.pauseImages`. */
export function pauseImage(kubernetesVersion: string): string {
  const minor = `${semver.major(kubernetesVersion)}.${semver.minor(kubernetesVersion)}`;
  return `registry.k8s.io/pause:${Versions.pauseImages[minor as keyof typeof Versions.pauseImages]}`;
}

/**
 * The script run once by cloud-init. `set -eu`: the first failing step stops
 * it, with the step's own message in cloud-init's output log.
 */
function bootstrapScript(layer: NodeLayer, pool: NodePool, role: BootstrapRole): string {
  const version = layer.kubernetesVersion;
  const unfilled = placeholdersOf(role);
  const lines = [
    '#!/bin/sh',
    `# Makes this machine a node of "${layer.clusterName}" with kubeadm ${role.command}.`,
    'set -eu',
    'fail() { echo "prodk8s-bootstrap: $*" >&2; exit 1; }',
    '',
    `# The model's address of ${role.host.name}: the node registers with it, and its serving certificate may name no other.`,
    `ip -o addr show | grep -qF ' ${role.host.address}/' || fail "${role.host.address}, the node's address in the model, is on no interface of this machine"`,
    '# What the host must bring: prodk8s installs no packages, as repositories differ by distribution.',
    '[ -f /sys/fs/cgroup/cgroup.controllers ] || fail "cgroup v2 is required: the kubelet refuses cgroup v1 since Kubernetes 1.35"',
    'command -v containerd >/dev/null || fail "containerd 2 is required"',
    'containerd --version | grep -Eq " v?2\\." || fail "containerd 2 is required: $(containerd --version)"',
    `kubeadm version -o short | grep -qx "v${version}" || fail "kubeadm v${version} is required: $(kubeadm version -o short 2>&1)"`,
    `kubelet --version | grep -qx "Kubernetes v${version}" || fail "kubelet v${version} is required: $(kubelet --version 2>&1)"`,
    // kubeadm's preflight refuses a node without them; the Kubernetes packages usually bring them.
    'for tool in crictl conntrack; do command -v $tool >/dev/null || fail "$tool is required by kubeadm\'s preflight checks"; done',
    ...(role.command === 'init' ? ['command -v kubectl >/dev/null || fail "kubectl is required on the first control plane node, to create kube-system\'s quota"'] : []),
    // Certificates, etcd and node-problem-detector's clock check need time in step; the image's own servers keep it.
    'if command -v timedatectl >/dev/null; then [ "$(timedatectl show -p NTP --value)" = yes ] || fail "time synchronisation is off (timedatectl set-ntp true)"; fi',
    ...(pool.extendedResources.includes(NVIDIA_GPU) ? [
      'command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null || fail "the NVIDIA driver is required on a GPU node (nvidia-smi lists no GPU)"',
      `[ -x ${NVIDIA_CONTAINER_RUNTIME} ] && command -v nvidia-ctk >/dev/null || fail "the NVIDIA Container Toolkit is required on a GPU node (${NVIDIA_CONTAINER_RUNTIME}, nvidia-ctk)"`,
    ] : []),
    ...(layer.kubeProxy.mode === 'nftables'
      ? ['uname -r | awk -F. \'{ exit !($1 > 5 || ($1 == 5 && $2 >= 13)) }\' || fail "kube-proxy in nftables mode needs kernel 5.13 or newer: $(uname -r)"']
      : []),
    // Searched for without its `${`, which the provisioning tool's templating would fill in here too.
    ...unfilled.map(name => `grep -qF '${name}}' ${BOOTSTRAP_KUBEADM_CONFIG} && fail "${name} was not filled in: render this user-data with the provisioning tool first"`),
    ...(role.apiServerFiles ? [`grep -qF '${ENCRYPTION_KEY_PLACEHOLDER.slice(2)}' ${ENCRYPTION_CONFIG_FILE} && fail "${ENCRYPTION_KEY_PLACEHOLDER.slice(2, -1)} was not filled in: one key for all control planes (head -c 32 /dev/urandom | base64)"`] : []),
    '',
    '# The kubelet refuses to run with swap on (failSwapOn).',
    'swapoff -a',
    "sed -i '/^[^#].*[[:space:]]swap[[:space:]]/s/^/#/' /etc/fstab",
    '',
    ...(pool.extendedResources.includes(NVIDIA_GPU) ? [
      '# A container gets the GPUs the device plugin allocated to it, as volume mounts; an unprivileged',
      '# container naming others in NVIDIA_VISIBLE_DEVICES gets none.',
      `nvidia-ctk config --in-place ${NVIDIA_TOOLKIT_SETTINGS.map(setting => `--set ${setting}`).join(' ')}`,
      '',
    ] : []),
    ...KERNEL_MODULES.map(name => `modprobe ${name}`),
    // This file alone: `sysctl --system` would stop the script on any other file's unknown key.
    'sysctl -p /etc/sysctl.d/90-prodk8s.conf >/dev/null',
    'systemctl enable containerd kubelet',
    'systemctl restart systemd-journald containerd',
    '',
    role.command === 'init'
      ? `kubeadm init --config ${BOOTSTRAP_KUBEADM_CONFIG} --upload-certs`
      : `kubeadm join --config ${BOOTSTRAP_KUBEADM_CONFIG}`,
    ...(role.command === 'init' ? [
      '# The API server admits the system PriorityClasses only where a quota covers them: the control plane\'s',
      '# mirror pods, kube-proxy and CoreDNS wait for kube-system\'s.',
      `for attempt in 1 2 3 4 5 6; do kubectl --kubeconfig /etc/kubernetes/admin.conf apply --server-side --field-manager=prodk8s -f ${KUBE_SYSTEM_QUOTA_FILE} >/dev/null && break; `
        + `[ $attempt = 6 ] && fail "could not create kube-system's ResourceQuota ${SYSTEM_CRITICAL_QUOTA}"; sleep 10; done`,
    ] : []),
    // During init kube-vip needs super-admin.conf (admin.conf has no rights yet); from now on admin.conf, as on the other nodes.
    ...(role.kubeVipPod && role.command === 'init'
      ? [`sed -i 's#${SUPER_ADMIN_CONF}#/etc/kubernetes/admin.conf#' ${STATIC_POD_MANIFESTS}/kube-vip.yaml`] : []),
    ...(role.apiServerFiles ? [
      '# The control plane\'s certificates are renewed monthly before they end; the first run records their end dates.',
      `systemctl daemon-reload && systemctl enable --now ${CERTIFICATE_RENEWAL_UNIT}.timer && systemctl start ${CERTIFICATE_RENEWAL_UNIT}.service`,
    ] : []),
    '# It holds the bootstrap token (and certificate key): no longer needed.',
    `rm -f ${BOOTSTRAP_KUBEADM_CONFIG}`,
    '',
  ];
  return lines.flatMap(line => wrapShellLine(line, SCRIPT_WIDTH)).join('\n');
}

/** The script's width: its lines stay readable in the user-data, where they are indented six columns. */
export const SCRIPT_WIDTH = 110;

/**
 * A line of the script as lines of at most `width` where it can be: a
 * comment word-wrapped, a command broken between words (outside quotes and
 * `$(…)`) with a backslash-newline, which the shell reads as one line.
 * A single word longer than the width stays whole.
 */
export function wrapShellLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const indent = /^ */.exec(line)![0];
  if (line.trimStart().startsWith('#')) {
    return wrapWords(line.trimStart().slice(1).trim().split(' '), width - indent.length - 2).map(text => `${indent}# ${text}`);
  }
  // Groups of words, each a line; a group ends where the next word would pass the width (with ' \\').
  const groups: string[][] = [];
  let length = 0;
  for (const word of topLevelWords(line.slice(indent.length))) {
    const group = groups[groups.length - 1];
    if (group !== undefined && length + 1 + word.length + 2 <= width) {
      group.push(word);
      length += 1 + word.length;
    } else {
      groups.push([word]);
      length = indent.length + (groups.length > 1 ? 4 : 0) + word.length;
    }
  }
  return groups.map((group, index) => `${indent}${index > 0 ? '    ' : ''}${group.join(' ')}${index < groups.length - 1 ? ' \\' : ''}`);
}

/** The words of a command, split at spaces outside quotes and command substitutions. */
function topLevelWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === '\\' && quote === '"') word += c + command[++i];
      else {
        if (c === quote) quote = undefined;
        word += c;
      }
      continue;
    }
    if (c === '\'' || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c === ' ' && depth === 0) {
      if (word !== '') words.push(word);
      word = '';
    } else {
      word += c;
    }
  }
  return word === '' ? words : [...words, word];
}

/** Words joined by spaces into lines of at most `width`, a longer word alone on its line. */
function wrapWords(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}
