import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { isTerraformWorkingFile } from '../synth/terraform-renderer';
import { OutputFiles } from './output-diff';

/**
 * The files of an output folder that a synth writes, by path relative to it:
 * Terraform's working files and state, and hidden entries (the output marker),
 * are left out. Reads only; a folder that is missing or not a folder throws.
 */
export function readOutputFolder(folder: string): OutputFiles {
  if (!statSync(folder).isDirectory()) throw Object.assign(new Error(`${folder} is not a folder`), { code: 'ENOTDIR', path: folder });
  const files = new Map<string, string>();
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(folder, relative), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.') || isTerraformWorkingFile(entry.name)) continue;
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(path, readFileSync(join(folder, path), 'utf8'));
    }
  };
  walk('');
  return files;
}
