import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { load } from 'js-yaml';
import type { ClusterSpec } from '../constructs';
import { UsageError } from './usage-error';

/** The project's settings, from `prodk8s.json` at its root; the command line overrides each. */
export interface ProjectConfig {
  /** The module that exports the environments (TypeScript, JavaScript or JSON), relative to the project root. */
  readonly app?: string;
  /** The output folder, relative to the project root. @default 'dist' */
  readonly out?: string;
}

/** The config file looked for in the current folder. */
export const CONFIG_FILE = 'prodk8s.json';

/** Reads `prodk8s.json` in `folder`, if there is one, refusing unknown settings. */
export function readConfig(folder: string): ProjectConfig {
  const path = resolve(folder, CONFIG_FILE);
  if (!existsSync(path)) return {};
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${CONFIG_FILE} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new UsageError(`${CONFIG_FILE} must hold an object such as {"app": "environments.ts"}`);
  for (const [key, value] of Object.entries(config)) {
    if (key !== 'app' && key !== 'out') throw new UsageError(`${CONFIG_FILE}: unknown setting "${key}"; known: app, out`);
    if (typeof value !== 'string' || value === '') throw new UsageError(`${CONFIG_FILE}: ${key} = ${JSON.stringify(value)}: must be a path`);
  }
  return config as ProjectConfig;
}

/**
 * The environments that a module exports: `export const environments = [...]`,
 * or a default export of an array or of one spec; of a JSON or YAML file, its
 * content. TypeScript is transpiled
 * on the fly by jiti (no type check: `tsc` does that in the project's own
 * build or CI), so that a synth needs no compile step.
 */
export async function loadEnvironments(app: string): Promise<readonly ClusterSpec[]> {
  const path = resolve(app);
  if (!existsSync(path)) throw new UsageError(`the environments module ${app} does not exist`);
  let exports: Record<string, unknown>;
  try {
    exports = /\.ya?ml$/i.test(path)
      // YAML holds data only: its document is the default export (an environment, a list, or { environments }).
      ? { default: load(readFileSync(path, 'utf8')) }
      : await (await import('jiti')).createJiti(__filename, { interopDefault: false }).import(path);
  } catch (error) {
    throw new ModuleError(`the environments module ${app} failed to load: ${firstLine(error)}`);
  }
  // A CommonJS module's exports are its default export.
  const found = exports?.environments ?? (exports?.default as Record<string, unknown> | undefined)?.environments ?? exports?.default;
  if (found === undefined) {
    throw new UsageError(`the environments module ${app} exports no environments: export \`environments\`, an array of ClusterSpec, or a default`);
  }
  const environments: unknown[] = Array.isArray(found) ? found : [found];
  if (environments.length === 0) throw new ModuleError(`the environments module ${app} exports an empty list of environments: there is nothing to render`);
  environments.forEach((spec, index) => {
    if (typeof spec !== 'object' || spec === null || typeof (spec as { name?: unknown }).name !== 'string') {
      throw new ModuleError(`the environments module ${app}: environments[${index}] = ${JSON.stringify(spec)}: must be a ClusterSpec, an object with a name`);
    }
  });
  return environments as ClusterSpec[];
}

/** A module that loaded but did not give a model: its own error, or something that is not a ClusterSpec. */
export class ModuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModuleError';
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}
