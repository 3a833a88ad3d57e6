import { existsSync, readFileSync } from 'fs';
import { dirname, join, relative } from 'path';
import { parseArgs } from 'util';
import type { ClusterSpec } from '../constructs';
import { CONFIG_FILE, loadEnvironments, ModuleError, readConfig } from './environments-module';
import { UsageError } from './usage-error';

/** The exit codes of every command, as the README documents them. */
export const ExitCode = { ok: 0, invalidModel: 1, usage: 2, ioFailure: 3, changed: 4 } as const;

export const USAGE = `Usage: prodk8s <command> [options]

Commands:
  synth      validate the environments, then write their files into the output folder
  validate   validate the environments and print every problem and warning; write nothing
  diff       compare the environments with an earlier synth (--base) and report what changes in
             the cluster, risks first; write nothing
  upgrade-plan
             check the upgrade of one environment to Kubernetes --to and print its runbook;
             exit 1 when a check fails

Options:
  --app <module>   the module that exports the environments (TypeScript, JavaScript or JSON);
                   default: "app" in ${CONFIG_FILE}
  --out <folder>   the output folder of synth; default: "out" in ${CONFIG_FILE}, else dist
  --env <name>     only this environment (repeatable); synth replaces only its folder
  --base <folder>  diff: the earlier output to compare with (a synth of the base commit)
  --format <fmt>   diff: markdown (default, for a pull-request comment) or json
  --exit-code      diff: exit 4 when anything changed
  --to <version>   upgrade-plan: the Kubernetes version to upgrade to, such as 1.36.4
  -h, --help       print this help
  --version        print the version of prodk8s

Exit codes: 0 done, 1 invalid model, 2 usage, 3 input or output failure (the output folder left as it was),
4 changes found (diff --exit-code).`;

/**
 * Runs the prodk8s command with `args` (without node and the script) and
 * returns its exit code. Help and usage errors are answered before anything
 * heavy is loaded; every failure is a message, never a stack trace
 * (`PRODK8S_DEBUG=1` shows the stack of an unexpected one).
 */
export async function run(args: readonly string[]): Promise<number> {
  try {
    return await command(args);
  } catch (error) {
    return report(error);
  }
}

async function command(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        app: { type: 'string' }, out: { type: 'string' }, env: { type: 'string', multiple: true },
        base: { type: 'string' }, format: { type: 'string' }, 'exit-code': { type: 'boolean' }, to: { type: 'string' },
        help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values: options, positionals } = parsed;
  if (options.help) {
    console.log(USAGE);
    return ExitCode.ok;
  }
  if (options.version) {
    console.log(packageVersion());
    return ExitCode.ok;
  }
  const [name, ...extra] = positionals;
  if (name === undefined) throw new UsageError('no command given');
  if (!['synth', 'validate', 'diff', 'upgrade-plan'].includes(name)) throw new UsageError(`unknown command "${name}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (name !== 'synth' && options.out !== undefined) throw new UsageError(`${name} writes nothing: --out is for synth`);
  if (name !== 'upgrade-plan' && options.to !== undefined) throw new UsageError('--to is for upgrade-plan');
  if (name === 'upgrade-plan' && options.to === undefined) throw new UsageError('upgrade-plan needs --to <version>: the Kubernetes version to upgrade to');
  if (name !== 'diff') {
    const diffOnly = (['base', 'format', 'exit-code'] as const).find(option => options[option] !== undefined);
    if (diffOnly) throw new UsageError(`--${diffOnly} is for diff`);
  } else {
    if (options.base === undefined) throw new UsageError('diff needs --base <folder>: the output of the synth to compare with');
    if (options.format !== undefined && options.format !== 'markdown' && options.format !== 'json') {
      throw new UsageError(`unknown --format "${options.format}": markdown or json`);
    }
  }

  const config = readConfig(process.cwd());
  const app = options.app ?? config.app;
  if (app === undefined) throw new UsageError(`no environments module: give --app <module>, or "app" in ${CONFIG_FILE}`);
  const specs = select(await loadEnvironments(app), options.env);
  if (name === 'upgrade-plan') return upgradePlanOf(specs, options.to!);
  if (name === 'diff') return diff(specs, options.base!, options.format === 'json' ? 'json' : 'markdown', options['exit-code'] === true, options.env);
  return name === 'synth' ? synth(specs, options.out ?? config.out ?? 'dist', options.env !== undefined) : validateOnly(specs);
}

/** Checks the upgrade of the one environment selected to `to`, prints the checks and the runbook; exit 1 when a check fails. */
function upgradePlanOf(specs: readonly ClusterSpec[], to: string): number {
  if (specs.length !== 1) throw new UsageError(`upgrade-plan plans one environment: name it with --env (${specs.map(s => s.name).join(', ')})`);
  const { renderModel } = require('../synth/synthesize') as typeof import('../synth/synthesize');
  const { SynthError } = require('../constructs/core/problems') as typeof import('../constructs/core/problems');
  const { planMarkdown, upgradePlan } = require('../review/upgrade-plan') as typeof import('../review/upgrade-plan');
  let current;
  try {
    current = renderModel(specs).clusters[0];
  } catch (error) {
    if (error instanceof SynthError) {
      console.error(`prodk8s: upgrade-plan: the current model is not valid. ${error.message}`);
      return ExitCode.invalidModel;
    }
    throw error;
  }
  const plan = upgradePlan(specs[0], current, to);
  process.stdout.write(planMarkdown(plan));
  return plan.checks.every(check => check.ok) ? ExitCode.ok : ExitCode.invalidModel;
}

/** Compares the model's output with an earlier one and prints the report; exit 4 with `--exit-code` when anything changed. */
function diff(specs: readonly ClusterSpec[], base: string, format: 'markdown' | 'json', exitCode: boolean, only: readonly string[] | undefined): number {
  const { renderModel } = require('../synth/synthesize') as typeof import('../synth/synthesize');
  const { SynthError } = require('../constructs/core/problems') as typeof import('../constructs/core/problems');
  const { diffOutputs } = require('../review/output-diff') as typeof import('../review/output-diff');
  const { hasChanges, reportJson, reportMarkdown } = require('../review/diff-report') as typeof import('../review/diff-report');
  const { readOutputFolder } = require('../review/read-output') as typeof import('../review/read-output');
  const { landingAllocatable, poolAllocatable } = require('../stacks/summary') as typeof import('../stacks/summary');
  let head;
  try {
    head = renderModel(specs);
  } catch (error) {
    if (error instanceof SynthError) {
      printWarnings(error.warnings);
      console.error(`prodk8s: diff failed. ${error.message}`);
      return ExitCode.invalidModel;
    }
    throw error;
  }
  let baseFiles;
  try {
    baseFiles = readOutputFolder(base);
  } catch (error) {
    const { OutputError } = require('../synth/output-error') as typeof import('../synth/output-error');
    const failure = OutputError.from(error);
    if (!(failure instanceof OutputError)) throw error;
    console.error(`prodk8s: diff: the base output: ${failure.message}`);
    return ExitCode.ioFailure;
  }
  // With --env, only those environments, on both sides.
  const inScope = (path: string) => only === undefined || only.includes(path.slice(0, path.indexOf('/')));
  const clusters = new Map(head.clusters.map(cluster => [cluster.name, cluster]));
  const report = diffOutputs(
    new Map([...baseFiles].filter(([path]) => inScope(path))),
    new Map(head.rendering.files.map(file => [file.path, file.content])),
    {
      landingAllocatable: (env, tenant) => { const c = clusters.get(env); return c && landingAllocatable(c, tenant); },
      poolAllocatable: (env, pool) => { const c = clusters.get(env); return c && poolAllocatable(c, pool); },
    },
  );
  printWarnings(head.rendering.warnings);
  process.stdout.write(format === 'json' ? reportJson(report) : reportMarkdown(report));
  return exitCode && hasChanges(report) ? ExitCode.changed : ExitCode.ok;
}

function synth(specs: readonly ClusterSpec[], out: string, onlyTheseEnvironments: boolean): number {
  const { synthesize } = require('../synth/synthesize') as typeof import('../synth/synthesize');
  const { SynthError } = require('../constructs/core/problems') as typeof import('../constructs/core/problems');
  const shown = relative(process.cwd(), out) || '.';
  try {
    const { files, warnings } = synthesize(specs, out, { onlyTheseEnvironments });
    printWarnings(warnings);
    console.log(`prodk8s: wrote ${files.length} files for ${specs.map(s => s.name).join(', ')} into ${shown}/`);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof SynthError) {
      printWarnings(error.warnings);
      console.error(`prodk8s: synth failed, ${shown} was left as it was. ${error.message}`);
      return ExitCode.invalidModel;
    }
    throw error;
  }
}

function validateOnly(specs: readonly ClusterSpec[]): number {
  const { validate } = require('../synth/synthesize') as typeof import('../synth/synthesize');
  const { problems, warnings } = validate(specs);
  printWarnings(warnings);
  const names = specs.map(s => s.name).join(', ');
  if (problems.length === 0) {
    console.log(`prodk8s: ${names}: valid${warnings.length > 0 ? `, with ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''}`);
    return ExitCode.ok;
  }
  console.error(`prodk8s: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the model:\n${problems.map(p => `  ${p}`).join('\n')}`);
  return ExitCode.invalidModel;
}

/** The environments named with `--env`, in the order named; all when none is. */
function select(environments: readonly ClusterSpec[], names: readonly string[] | undefined): readonly ClusterSpec[] {
  if (names === undefined) return environments;
  const known = new Map(environments.map(spec => [spec.name, spec]));
  const unknown = names.filter(name => !known.has(name));
  if (unknown.length > 0) throw new UsageError(`unknown environment ${unknown.join(', ')}; known: ${[...known.keys()].join(', ')}`);
  return [...new Set(names)].map(name => known.get(name)!);
}

function printWarnings(warnings: readonly string[]): void {
  for (const warning of warnings) console.error(`prodk8s: warning: ${warning}`);
}

/** The message and exit code of a failure; a stack trace only with `PRODK8S_DEBUG=1`. */
function report(error: unknown): number {
  const name = (error as Error)?.name;
  if (error instanceof UsageError || name === 'MissingPackageError') {
    console.error(`prodk8s: ${(error as Error).message}\n\n${USAGE}`);
    return ExitCode.usage;
  }
  if (error instanceof ModuleError) {
    console.error(`prodk8s: ${error.message}`);
    return ExitCode.invalidModel;
  }
  const { OutputError } = require('../synth/output-error') as typeof import('../synth/output-error');
  const output = OutputError.from(error);
  if (output instanceof OutputError) {
    console.error(`prodk8s: ${output.message}; nothing was replaced`);
    return ExitCode.ioFailure;
  }
  console.error(`prodk8s: failed: ${String((error as Error)?.message ?? error).split('\n')[0]}`
    + (process.env.PRODK8S_DEBUG ? `\n${(error as Error)?.stack}` : ' (PRODK8S_DEBUG=1 shows where)'));
  return ExitCode.invalidModel;
}

/** The version of the installed prodk8s package, from its package.json. */
function packageVersion(): string {
  for (let folder = __dirname; folder !== dirname(folder); folder = dirname(folder)) {
    const path = join(folder, 'package.json');
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')).version;
  }
  return 'unknown';
}
