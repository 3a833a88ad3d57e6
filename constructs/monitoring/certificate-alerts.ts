import {
  CERTIFICATE_EXPIRY_METRIC, CERTIFICATE_METRICS_FILE, CERTIFICATE_RENEWAL_UNIT, RENEW_WITHIN_DAYS,
} from '../nodes/certificate-lifecycle';
import { RuleGroup } from './alert-rules';

const DAY = 86400;

/** What to do when a control plane certificate is not renewed in time. */
const RENEWAL_RUNBOOK = [
  `1. on the node: systemctl status ${CERTIFICATE_RENEWAL_UNIT}.timer ${CERTIFICATE_RENEWAL_UNIT}.service;`,
  `   journalctl -u ${CERTIFICATE_RENEWAL_UNIT}.service`,
  '2. kubeadm certs check-expiration: what ends when',
  `3. systemctl start ${CERTIFICATE_RENEWAL_UNIT}.service renews what ends within ${RENEW_WITHIN_DAYS} days`,
  '   and restarts the control plane pods; or kubeadm certs renew all, then restart them',
  '4. Kubespray: its own k8s-certs-renew.timer (auto_renew_certificates)',
].join('\n');

/**
 * Alerts on the control plane's certificates, from the end dates the monthly
 * renewal writes on each control plane node (node-exporter's textfile
 * collector): a certificate the renewal left to end within 30 days (it renews
 * at 37), one ending within a week, a CA ending within a year (CAs are rotated
 * by hand), and a renewal that has not run for 40 days. The kubelets' client
 * and serving certificates and the API server's client certificates are the
 * Prometheus stack's own rules (`KubeletServerCertificateExpiration`,
 * `KubeClientCertificateExpiration`).
 */
export function certificateAlerts(): RuleGroup {
  const remaining = (authority: boolean) => `(${CERTIFICATE_EXPIRY_METRIC}{authority="${authority}"} - time())`;
  return {
    name: 'prodk8s.certificates',
    rules: [
      {
        alert: 'ControlPlaneCertificateExpiring', expr: `${remaining(false)} < ${30 * DAY}`, for: '1h', severity: 'warning',
        summary: 'Certificate {{ $labels.certificate }} of {{ $labels.node }} ends within 30 days',
        description: `The monthly renewal renews a certificate ${RENEW_WITHIN_DAYS} days before its end; {{ $labels.certificate }} on {{ $labels.node }} was not.`,
        runbook: RENEWAL_RUNBOOK,
      },
      {
        alert: 'ControlPlaneCertificateExpiringSoon', expr: `${remaining(false)} < ${7 * DAY}`, for: '10m', severity: 'critical',
        summary: 'Certificate {{ $labels.certificate }} of {{ $labels.node }} ends within a week',
        description: 'When it ends, the component of {{ $labels.node }} that presents it stops being trusted: renew it now.',
        runbook: RENEWAL_RUNBOOK,
      },
      {
        alert: 'ControlPlaneCertificateAuthorityExpiring', expr: `${remaining(true)} < ${365 * DAY}`, for: '1h', severity: 'warning',
        summary: 'CA {{ $labels.certificate }} of {{ $labels.node }} ends within a year',
        description: 'No renewal replaces a CA: rotate the CA of {{ $labels.node }}\'s control plane by hand, as the README describes.',
        runbook: '1. kubeadm certs check-expiration: the CAs\' ends\n2. the README\'s CA rotation procedure, one control plane node at a time',
      },
      {
        alert: 'ControlPlaneCertificateRenewalStale', expr: `time() - node_textfile_mtime_seconds{file=~".*${CERTIFICATE_METRICS_FILE.replace(/\./g, '\\\\.')}"} > ${40 * DAY}`,
        for: '1h', severity: 'warning',
        summary: 'The certificate renewal of {{ $labels.node }} has not run for 40 days',
        description: `${CERTIFICATE_RENEWAL_UNIT}.timer of {{ $labels.node }} runs monthly and records the certificates' ends at each run.`,
        runbook: RENEWAL_RUNBOOK,
      },
    ],
  };
}
