import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { resolve } from 'path';

/**
 * Where the offline stand-ins for upstream tools live: `PRODK8S_SHARED`, by
 * default `../shared` beside the repository (CI has it there too).
 */
export const SHARED = resolve(__dirname, '../..', process.env.PRODK8S_SHARED ?? '../shared');

/** What a reader said of a file: whether it read, and its own words. */
export interface ReaderVerdict {
  readonly ok: boolean;
  readonly output: string;
}

/** A real kubeadm on the PATH, which validates fields too; the reader stands in for it where there is none. */
function realKubeadm(): boolean {
  return spawnSync('kubeadm', ['version', '-o', 'short'], { stdio: 'ignore' }).status === 0;
}

function reader(): string {
  const path = resolve(SHARED, 'tools/kubeadm-config-reader/kubeadm-config-reader');
  if (!existsSync(path)) throw new Error(`${path} is missing: the kubeadm reading tests need ../shared (or PRODK8S_SHARED) with tools/kubeadm-config-reader`);
  return path;
}

/**
 * Reads a `--config` file as `kubeadm init|join --config` does: with a real
 * kubeadm, `kubeadm config validate --config`; else
 * `kubeadm-config-reader config`, which splits documents with apimachinery's
 * YAMLReader and requires apiVersion and kind of each, as kubeadm does.
 */
export function readKubeadmConfig(file: string): ReaderVerdict {
  const result = realKubeadm()
    ? spawnSync('kubeadm', ['config', 'validate', '--config', file], { encoding: 'utf8' })
    : spawnSync(reader(), ['config', file], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/**
 * Splits a file into documents as kubeadm's YAMLReader does, each needing apiVersion and kind: for files
 * the API server reads (an audit policy, an encryption configuration), which `kubeadm config validate`
 * would refuse as not its own kinds.
 */
export function readDocumentsAsKubeadm(file: string): ReaderVerdict {
  const result = spawnSync(reader(), ['config', file], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/**
 * Applies `patch` as kubeadm applies `/etc/kubernetes/patches/kubeletconfiguration+merge.yaml`:
 * each of its documents as a JSON merge patch over the last document of `target` (a KubeletConfiguration).
 */
export function applyKubeletPatch(target: string, patch: string): ReaderVerdict {
  const result = spawnSync(reader(), ['patch', target, patch], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}
