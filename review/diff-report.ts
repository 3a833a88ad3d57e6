import stableStringify = require('json-stable-stringify');
import { Change, ChangeArea, DiffReport } from './output-diff';

/** The order of the areas in a report: what weakens isolation first, then the nodes, then the add-ons. */
const AREA_ORDER: readonly ChangeArea[] = [
  'environments', 'tenants', 'pod-security', 'rbac', 'network', 'egress', 'quotas', 'limits',
  'nodes', 'kubelet', 'kubeadm', 'kubespray', 'add-ons', 'alerts', 'objects',
];

/** Whether anything changed in any environment. */
export function hasChanges(report: DiffReport): boolean {
  return report.environments.some(env => env.changes.length > 0);
}

/** The report as JSON, keys sorted, for tools. */
export function reportJson(report: DiffReport): string {
  return `${stableStringify(report, { space: 2 })}\n`;
}

/**
 * The report as Markdown for a pull-request comment: a line per environment
 * with its changes and risks, then each changed environment's risks and a
 * table of its changes by area.
 */
export function reportMarkdown(report: DiffReport): string {
  const lines = ['## prodk8s diff', ''];
  if (report.environments.length === 0) return [...lines, 'No environment on either side.', ''].join('\n');
  lines.push('| environment | changes | risks |', '|---|---|---|');
  for (const env of report.environments) {
    const risks = env.changes.filter(change => change.risk).length;
    lines.push(`| ${env.name} | ${env.status === 'unchanged' ? 'none' : env.status === 'changed' ? env.changes.length : env.status} | ${risks || ''} |`);
  }
  for (const env of report.environments.filter(e => e.changes.length > 0)) {
    const changes = [...env.changes].sort((a, b) => AREA_ORDER.indexOf(a.area) - AREA_ORDER.indexOf(b.area));
    const risks = changes.filter(change => change.risk);
    lines.push('', `### ${env.name}`, '');
    if (risks.length > 0) {
      lines.push(`**${risks.length} risk${risks.length === 1 ? '' : 's'}:**`, '');
      for (const change of risks) lines.push(`- **risk**: ${change.risk}: ${change.subject}${change.field ? ` ${change.field}` : ''} ${changeText(change)}`);
      lines.push('');
    }
    lines.push('| | area | what | change | note |', '|---|---|---|---|---|');
    for (const change of changes) {
      lines.push(`|${change.risk ? ' **risk** ' : ' '}| ${change.area} | ${cell(change.subject)}${change.field ? ` \`${cell(change.field)}\`` : ''} | `
        + `${cell(changeText(change))} | ${cell(change.note ?? '')} |`);
    }
  }
  return [...lines, ''].join('\n');
}

/** A change's values: `old → new`, or what was added or removed. */
function changeText(change: Change): string {
  const value = (text: string) => (text === 'added' || text === 'removed' ? text : `\`${text}\``);
  if (change.before !== undefined && change.after !== undefined) return `${value(change.before)} → ${value(change.after)}`;
  if (change.after !== undefined) return change.after === 'added' ? 'added' : `added ${value(change.after)}`;
  return change.before === 'removed' ? 'removed' : `removed ${value(change.before ?? '')}`;
}

/** Text that stays in its table cell: pipes escaped, line breaks as `<br>`. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}
