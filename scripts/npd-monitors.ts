/**
 * Prints what node-problem-detector's built-in monitors set, in the format of
 * `constructs/addons/node-problem-detector-monitors.json`: per monitor file
 * of the image, the conditions it sets (each with the reasons that set it)
 * and the reasons of the events it only counts. It reads a local checkout
 * of kubernetes/node-problem-detector at the tag of the pinned image; the
 * files under `config/` are the ones the image ships in `/config/`.
 *
 *   ts-node scripts/npd-monitors.ts <checkout> <tag> <commit> <monitor.json>...
 */
import * as fs from 'fs';
import * as path from 'path';

interface Rule { type: 'temporary' | 'permanent'; condition?: string; reason: string }
interface Monitor { conditions?: { type: string }[]; rules?: Rule[] }

const [checkout, tag, commit, ...files] = process.argv.slice(2);
if (!checkout || !tag || !commit || files.length === 0) {
  process.stderr.write('usage: ts-node scripts/npd-monitors.ts <checkout> <tag> <commit> <monitor.json>...\n');
  process.exit(2);
}
const unique = (values: string[]) => [...new Set(values)].sort();
const monitors = Object.fromEntries(files.sort().map(file => {
  const monitor = JSON.parse(fs.readFileSync(path.join(checkout, 'config', file), 'utf8')) as Monitor;
  const rules = monitor.rules ?? [];
  return [`/config/${file}`, {
    conditions: Object.fromEntries((monitor.conditions ?? []).map(c => c.type).sort().map(type => [
      type, unique(rules.filter(r => r.type === 'permanent' && r.condition === type).map(r => r.reason)),
    ])),
    counted: unique(rules.filter(r => r.type === 'temporary').map(r => r.reason)),
  }];
}));
process.stdout.write(JSON.stringify({
  version: tag,
  source: `github.com/kubernetes/node-problem-detector config/ @ tag ${tag} (${commit}), the files the image ships in /config/`,
  monitors,
}, undefined, 2) + '\n');
