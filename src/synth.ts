import { relative } from 'path';
import { parseArgs } from 'util';
import { ClusterSpec } from '../constructs';
import { OutputError } from '../synth/output-error';
import { synthesize } from '../synth/synthesize';
import { SynthError } from '../constructs/core/problems';
import { REFERENCE_ENVIRONMENTS } from './environments';

const USAGE = `Usage: npm run synth -- [--out <folder>] [--env <name>]...

Renders the reference environments into <folder> (default: dist).
  --out <folder>  where to write; the folder is replaced as a whole
  --env <name>    render only these environments (repeatable)`;

/**
 * Runs the synth of `environments` (the reference ones unless a test gives
 * others); returns the process exit code.
 */
export function main(args: readonly string[], defaultOutdir = 'dist', environments = REFERENCE_ENVIRONMENTS): number {
  let options;
  try {
    options = parseArgs({
      args: [...args],
      options: { out: { type: 'string' }, env: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const outdir = options.out ?? defaultOutdir;
  const specs = select(environments, options.env);
  if (typeof specs === 'string') {
    console.error(specs);
    return 2;
  }
  try {
    const { files, warnings } = synthesize(specs, outdir);
    for (const warning of warnings) console.error(`prodk8s: warning: ${warning}`);
    console.log(`prodk8s: wrote ${files.length} files for ${specs.map(s => s.name).join(', ')} into ${relative(process.cwd(), outdir) || '.'}/`);
    return 0;
  } catch (error) {
    if (error instanceof OutputError) {
      console.error(`prodk8s: ${error.message}; nothing was replaced`);
      return 3;
    }
    if (!(error instanceof SynthError)) throw error;
    console.error(`prodk8s: synth failed, ${outdir} was left as it was. ${error.message}`);
    return 1;
  }
}

function select(environments: readonly ClusterSpec[], names: string[] | undefined): readonly ClusterSpec[] | string {
  if (!names) return environments;
  const known = new Map(environments.map(spec => [spec.name, spec]));
  const unknown = names.filter(name => !known.has(name));
  if (unknown.length > 0) {
    return `unknown environment ${unknown.join(', ')}; known: ${[...known.keys()].join(', ')}`;
  }
  return names.map(name => known.get(name)!);
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
