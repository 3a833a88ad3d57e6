import { Checks } from '../core/checks';

/** How long the control plane's certificates live, as the model sets it for both installers. */
export interface CertificateLifecycleSpec {
  /**
   * Lifetime of the certificates kubeadm signs (API server, etcd, front proxy, the kubeconfigs), in hours.
   * The monthly renewal renews each within `RENEW_WITHIN_DAYS` of its end.
   * @default '8760h' (a year, kubeadm's default)
   */
  readonly validity?: string;
  /**
   * Lifetime of the certificate authorities kubeadm creates, in hours. A CA is not renewed: it is rotated by hand
   * (see the README), and an alert warns a year ahead.
   * @default '87600h' (ten years, kubeadm's default)
   */
  readonly caValidity?: string;
}

export const DEFAULT_CERTIFICATE_VALIDITY = '8760h';
export const DEFAULT_CA_CERTIFICATE_VALIDITY = '87600h';

/** When the renewal runs: the first Monday of each month at 03:00, as Kubespray's renewal does by default. */
export const CERTIFICATE_RENEWAL_CALENDAR = 'Mon *-*-1..7 03:00:00';

/** The renewal renews every certificate that ends within this many days: a month to the next run, and a week's margin. */
export const RENEW_WITHIN_DAYS = 37;

/** The shortest lifetime the model accepts: twice the renewal window, so that a renewed certificate is not due again at once. */
const MIN_VALIDITY_HOURS = 2 * RENEW_WITHIN_DAYS * 24;

/**
 * Where the renewal writes the certificates' end dates for node-exporter's
 * textfile collector (node-exporter sees the host's root at `/host/root`).
 */
export const NODE_METRICS_DIRECTORY = '/var/lib/prodk8s/metrics';
export const NODE_EXPORTER_TEXTFILE_DIRECTORY = `/host/root${NODE_METRICS_DIRECTORY}`;

/** The metric of each control plane certificate's end, and the file it is in. */
export const CERTIFICATE_EXPIRY_METRIC = 'prodk8s_control_plane_certificate_expiry_timestamp_seconds';
export const CERTIFICATE_METRICS_FILE = 'control-plane-certificates.prom';

export const CERTIFICATE_RENEWAL_SCRIPT = '/usr/local/sbin/prodk8s-certs-renew';
export const CERTIFICATE_RENEWAL_UNIT = 'prodk8s-certs-renew';

/** The lifetimes with their defaults filled in. */
export function resolvedCertificates(spec: CertificateLifecycleSpec | undefined): Required<CertificateLifecycleSpec> {
  return { validity: spec?.validity ?? DEFAULT_CERTIFICATE_VALIDITY, caValidity: spec?.caValidity ?? DEFAULT_CA_CERTIFICATE_VALIDITY };
}

export function checkCertificates(checks: Checks, field: string, spec: CertificateLifecycleSpec | undefined): void {
  const { validity, caValidity } = resolvedCertificates(spec);
  const hours = (text: string) => (/^[1-9]\d{0,6}h$/.test(String(text)) ? Number(String(text).slice(0, -1)) : undefined);
  const leaf = hours(validity);
  const ca = hours(caValidity);
  checks.expect(leaf !== undefined, `${field}.validity`, validity, 'must be whole hours, such as 8760h');
  checks.expect(ca !== undefined, `${field}.caValidity`, caValidity, 'must be whole hours, such as 87600h');
  if (leaf === undefined || ca === undefined) return;
  checks.expect(leaf >= MIN_VALIDITY_HOURS, `${field}.validity`, validity,
    `must be at least ${MIN_VALIDITY_HOURS}h: the monthly renewal renews what ends within ${RENEW_WITHIN_DAYS} days`);
  checks.expect(ca >= leaf, `${field}.caValidity`, caValidity, `must be at least validity (${validity}): a certificate cannot outlive its CA`);
}

/**
 * The renewal of the control plane's certificates on a kubeadm control plane
 * node: `kubeadm certs renew all` when one ends within `RENEW_WITHIN_DAYS`
 * days, then the control plane's pods are removed so that the kubelet starts
 * them again with the new files (as Kubespray's renewal does); each run writes
 * every certificate's and CA's end for Prometheus, so that an alert fires when
 * the renewal stops running or a CA nears its end.
 */
export function certificateRenewalScript(): string {
  return [
    '#!/bin/sh',
    '# Renews the control plane\'s certificates before they end; writes their end dates for Prometheus.',
    'set -eu',
    `metrics=${NODE_METRICS_DIRECTORY}`,
    'mkdir -p "$metrics"',
    '# Each certificate and CA: its name, whether it is a CA, its end.',
    'leaf=\'{range .certificates[*]}{.name}{" false "}{.expirationDate}{"\\n"}{end}\'',
    'ca=\'{range .certificateAuthorities[*]}{.name}{" true "}{.expirationDate}{"\\n"}{end}\'',
    'ends() { kubeadm certs check-expiration -o jsonpath="$leaf$ca"; }',
    `renew_before=$(( $(date +%s) + ${RENEW_WITHIN_DAYS} * 86400 ))`,
    'due=$(ends | while read -r name authority end; do',
    '  [ "$authority" = false ] && [ "$(date -d "$end" +%s)" -lt "$renew_before" ] && echo "$name"',
    'done || true)',
    'if [ -n "$due" ]; then',
    '  echo "renewing: $(echo $due)"',
    '  kubeadm certs renew all',
    '  # The kubelet starts the static pods again, with the renewed files.',
    '  crictl pods --namespace kube-system --name \'kube-apiserver-|kube-controller-manager-|kube-scheduler-|etcd-\' -q \\',
    '    | xargs -r crictl rmp -f',
    'fi',
    `metric=${CERTIFICATE_EXPIRY_METRIC}`,
    'ends | while read -r name authority end; do',
    '  echo "$metric{certificate=\\"$name\\",authority=\\"$authority\\"} $(date -d "$end" +%s)"',
    `done > "$metrics/${CERTIFICATE_METRICS_FILE}.tmp"`,
    `mv "$metrics/${CERTIFICATE_METRICS_FILE}.tmp" "$metrics/${CERTIFICATE_METRICS_FILE}"`,
    '',
  ].join('\n');
}

/** The systemd service that runs the renewal once. */
export function certificateRenewalService(): string {
  return [
    '[Unit]',
    'Description=Renew the Kubernetes control plane certificates before they end',
    'After=kubelet.service',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${CERTIFICATE_RENEWAL_SCRIPT}`,
    '',
  ].join('\n');
}

/** The timer: monthly, a missed run made up at boot, the nodes of one control plane not all at once. */
export function certificateRenewalTimer(): string {
  return [
    '[Unit]',
    'Description=Renew the Kubernetes control plane certificates monthly',
    '',
    '[Timer]',
    `OnCalendar=${CERTIFICATE_RENEWAL_CALENDAR}`,
    'RandomizedDelaySec=30min',
    'Persistent=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

/** Kubespray's variables for the same lifetimes and its own monthly renewal (which writes no metric). */
export function certificateKubesprayVars(spec: CertificateLifecycleSpec | undefined): Record<string, unknown> {
  const { validity, caValidity } = resolvedCertificates(spec);
  return {
    kube_cert_validity_period: validity,
    kube_ca_cert_validity_period: caValidity,
    auto_renew_certificates: true,
    auto_renew_certificates_systemd_calendar: CERTIFICATE_RENEWAL_CALENDAR,
  };
}
