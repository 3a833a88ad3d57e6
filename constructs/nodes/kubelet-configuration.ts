import { ReservedResources, ResolvedKubelet } from './kubelet-profile';

/** The kernel settings that `protectKernelDefaults: true` requires; the kubelet refuses to start if any differs. */
export const PROTECTED_KERNEL_DEFAULTS: Readonly<Record<string, string>> = {
  'kernel.keys.root_maxbytes': '25000000',
  'kernel.keys.root_maxkeys': '1000000',
  'kernel.panic': '10',
  'kernel.panic_on_oops': '1',
  'vm.overcommit_memory': '1',
  'vm.panic_on_oom': '0',
};

/** Where kubeadm puts the cluster CA, which the kubelet trusts for client certificates. */
const CLIENT_CA_FILE = '/etc/kubernetes/pki/ca.crt';

/**
 * The `KubeletConfiguration` (kubelet.config.k8s.io/v1beta1) of a pool's nodes:
 * the profile's reservations, eviction and log settings, always hardened.
 */
export function kubeletConfiguration(kubelet: ResolvedKubelet, dnsDomain: string): Record<string, unknown> {
  const p = kubelet.profile;
  return compact({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    cgroupDriver: 'systemd',
    clusterDomain: dnsDomain,
    // Hardening: only authenticated, authorized callers; no unauthenticated read-only port.
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: CLIENT_CA_FILE } },
    authorization: { mode: 'Webhook' },
    readOnlyPort: 0,
    protectKernelDefaults: true,
    rotateCertificates: true,
    serverTLSBootstrap: true,
    seccompDefault: true,
    tlsMinVersion: 'VersionTLS12',
    maxPods: kubelet.maxPods,
    podPidsLimit: kubelet.podPidsLimit,
    containerLogMaxSize: kubelet.containerLogMaxSize,
    containerLogMaxFiles: kubelet.containerLogMaxFiles,
    systemReserved: reservedMap(kubelet.systemReserved),
    kubeReserved: reservedMap(kubelet.kubeReserved),
    enforceNodeAllocatable: [...kubelet.enforceNodeAllocatable],
    systemReservedCgroup: p.systemReservedCgroup,
    kubeReservedCgroup: p.kubeReservedCgroup,
    evictionHard: { ...kubelet.evictionHard },
    evictionSoft: p.evictionSoft && { ...p.evictionSoft },
    evictionSoftGracePeriod: p.evictionSoftGracePeriod && { ...p.evictionSoftGracePeriod },
    evictionMinimumReclaim: p.evictionMinimumReclaim && { ...p.evictionMinimumReclaim },
    evictionMaxPodGracePeriod: p.evictionMaxPodGracePeriod,
    evictionPressureTransitionPeriod: p.evictionPressureTransitionPeriod,
    imageGCHighThresholdPercent: kubelet.imageGcHighThresholdPercent,
    imageGCLowThresholdPercent: kubelet.imageGcLowThresholdPercent,
    // Graceful node shutdown, as Kubespray's kubelet has it by default.
    shutdownGracePeriod: kubelet.shutdownGracePeriod,
    shutdownGracePeriodCriticalPods: kubelet.shutdownGracePeriodCriticalPods,
    cpuManagerPolicy: p.cpuManagerPolicy,
    memoryManagerPolicy: p.memoryManagerPolicy,
    reservedMemory: p.reservedMemory?.map(r => ({ numaNode: r.numaNode, limits: { memory: r.memory } })),
    topologyManagerPolicy: p.topologyManagerPolicy,
    topologyManagerScope: p.topologyManagerScope,
  });
}

/** A reservation as the kubelet's resource map: `ephemeral-storage`, and `pid` as text. */
export function reservedMap(reserved: Required<ReservedResources>): Record<string, string> {
  return { 'cpu': reserved.cpu, 'memory': reserved.memory, 'ephemeral-storage': reserved.ephemeralStorage, 'pid': String(reserved.pid) };
}

/** The object without its undefined fields, so that unset options stay out of the file. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
