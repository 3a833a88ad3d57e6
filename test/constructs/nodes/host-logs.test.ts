import { load } from 'js-yaml';
import { Testing } from 'cdk8s';
import { journaldLimits, NodePoolSpec, nodefsWarningLine, ProductionCluster } from '../../../constructs';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { renderEnvironments } from '../../../synth/synthesize';
import { clusterSpec, generalPool } from '../../fixtures/cluster-spec';

const poolOf = (overrides: Partial<NodePoolSpec>) =>
  new ProductionCluster(Testing.chart(), 'cluster', clusterSpec({ nodePools: [generalPool(overrides)] })).nodePools[0];

describe('journald\'s bounds, from the pool\'s disk and eviction thresholds', () => {
  test.each([
    // 2 % of 100Gi = 2048 MiB; hard nodefs 10 % → keep 15 % free, where the disk alert warns.
    ['a 100Gi disk', { sku: { cpu: '8', memory: '32Gi', ephemeralStorage: '100Gi' } }, 'SystemMaxUse=2048M\nSystemKeepFree=15%'],
    // 2 % of 10Gi = 204 MiB, raised to the floor of 256 MiB.
    ['a 10Gi disk', { sku: { cpu: '8', memory: '32Gi', ephemeralStorage: '10Gi' } }, 'SystemMaxUse=256M\nSystemKeepFree=15%'],
    // 2 % of 1Ti = 20971 MiB, capped at 4 GiB.
    ['a 1Ti disk', { sku: { cpu: '8', memory: '32Gi', ephemeralStorage: '1Ti' } }, 'SystemMaxUse=4096M\nSystemKeepFree=15%'],
    // A soft threshold of 20 % comes first: keep 25 % free.
    ['a soft threshold', { kubelet: { evictionSoft: { 'nodefs.available': '20%' }, evictionSoftGracePeriod: { 'nodefs.available': '1m' } } }, 'SystemMaxUse=2048M\nSystemKeepFree=25%'],
    // An amount: half again, 5Gi → 7680 MiB.
    ['an amount', { kubelet: { evictionHard: { 'nodefs.available': '5Gi' } } }, 'SystemMaxUse=2048M\nSystemKeepFree=7680M'],
  ])('%s', (_, overrides, expected) => {
    expect(journaldLimits(poolOf(overrides as Partial<NodePoolSpec>))).toBe(`[Journal]\nStorage=persistent\n${expected}\nMaxRetentionSec=2week\n`);
  });

  test('nodefsWarningLine: five points over a percentage, half again over an amount', () => {
    expect(nodefsWarningLine('10%')).toEqual({ percent: 15 });
    expect(nodefsWarningLine('2Gi')).toEqual({ bytes: 3221225472 });
  });
});

test('every node\'s journald keeps free exactly what its pool\'s disk alert warns at', () => {
  const files = renderEnvironments(REFERENCE_ENVIRONMENTS).files;
  let checked = 0;
  for (const file of files.filter(f => /\/cloud-init-.*\.yaml$/.test(f.path))) {
    const env = file.path.split('/')[0];
    const pool = file.path.includes('/control-plane/') ? 'control-plane' : file.path.split('/')[3];
    const journald = (load(file.content.replace(/^#cloud-config\n/, '')) as { write_files: { path: string; content: string }[] })
      .write_files.find(f => f.path === '/etc/systemd/journald.conf.d/90-prodk8s.conf')!.content;
    const keepFree = /SystemKeepFree=(\d+)%/.exec(journald)![1];
    const rules = (load(files.find(f => f.path === `${env}/alert-rules.yaml`)!.content) as { groups: { rules: { alert: string; expr: string; labels: { pool?: string } }[] }[] })
      .groups.flatMap(g => g.rules);
    const near = rules.find(r => r.alert === 'NodeDiskNearEviction' && r.labels.pool === pool)!;
    expect({ file: file.path, near: near.expr.endsWith(` < ${keepFree}`) }).toEqual({ file: file.path, near: true });
    checked++;
  }
  expect(checked).toBeGreaterThan(30);
});
