// V8 tuned for a process that lasts a second or so, as a synth does.
import { setFlagsFromString } from 'v8';

/**
 * The V8 flags `tuneForShortRun` sets: the interrupt budget four times
 * Node 20's default. V8 weighs optimizing a function each time it has run
 * that budget of bytecode (66 KiB); a synth lasts a second, and V8 found
 * hundreds of its functions hot, some of them constructors that run once
 * per tenant. Its optimizing compiles run on background threads, which on
 * two cores take their time from the main thread and the YAML worker (1,000
 * tenants: some 600 of 1,400 ms of CPU). With four times the budget, only
 * what stays hot is optimized (see the README's Performance section).
 */
export const SHORT_RUN_V8_FLAGS: readonly string[] = ['--interrupt-budget=270336'];

/**
 * The flags `tuneForShortRun` sets in a process of this V8 started with
 * these options: `SHORT_RUN_V8_FLAGS` on the V8 they were measured on, Node
 * 20's 11.3, and none on later ones, which decide when to optimize otherwise
 * (Node 22's V8 has no such flag, and would print an error for it), nor
 * where node's command line gives a budget of its own.
 */
export function shortRunFlags(v8Version = process.versions.v8, execArgv: readonly string[] = process.execArgv): readonly string[] {
  const own = execArgv.some(option => option.startsWith('--interrupt-budget'));
  return /^11\.3\./.test(v8Version) && !own ? SHORT_RUN_V8_FLAGS : [];
}

/**
 * Sets `shortRunFlags()`: first thing in the process, before the code cache
 * is opened (V8's code cache is keyed by its flags). Returns what it set.
 */
export function tuneForShortRun(flags = shortRunFlags(), set = setFlagsFromString): readonly string[] {
  for (const flag of flags) set(flag);
  return flags;
}
