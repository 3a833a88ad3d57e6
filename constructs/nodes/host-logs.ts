import { Quantity } from '../core/quantity';
import { NodePool } from './node-pool';

/**
 * The disk line at which a pool's nodes are warned of nearing eviction: the
 * nodefs threshold (the soft one if set, else the hard one) and half again
 * for an amount, five points more for a percentage. The disk alerts warn
 * there, and journald keeps that much free, so that system logs alone never
 * bring a node to evict.
 */
export function nodefsWarningLine(threshold: string): { readonly percent: number } | { readonly bytes: number } {
  const percent = /^(\d+(\.\d+)?)%$/.exec(threshold);
  if (percent) return { percent: Number(percent[1]) + 5 };
  return { bytes: Math.ceil(Number(Quantity.parse(threshold).nanos / 1_000_000_000n) * 1.5) };
}

/** The nodefs eviction threshold the pool's kubelet acts on first, if any. */
export function nodefsThreshold(pool: NodePool): string | undefined {
  return pool.kubelet.profile.evictionSoft?.['nodefs.available'] ?? pool.kubelet.evictionHard['nodefs.available'];
}

const MIB = 1024 * 1024;

/**
 * journald's bounds on a pool's nodes, from its disk: at most 2 % of it
 * (256 MiB to 4 GiB), the disk alerts' warning line kept free, two weeks.
 * On disk, so that the log agent finds the kubelet's and containerd's logs
 * where it reads them, and they survive a reboot. Container logs are the
 * kubelet's (`containerLogMaxSize` × files); the API server rotates its audit
 * log itself.
 */
export function journaldLimits(pool: NodePool): string {
  const disk = Number(Quantity.parse(pool.sku.ephemeralStorage).nanos / 1_000_000_000n);
  const maxUse = Math.min(4096, Math.max(256, Math.floor((disk * 0.02) / MIB)));
  const threshold = nodefsThreshold(pool);
  const line = threshold === undefined ? { percent: 15 } : nodefsWarningLine(threshold);
  const keepFree = 'percent' in line ? `${line.percent}%` : `${Math.ceil(line.bytes / MIB)}M`;
  return `[Journal]\nStorage=persistent\nSystemMaxUse=${maxUse}M\nSystemKeepFree=${keepFree}\nMaxRetentionSec=2week\n`;
}
