/**
 * Options of the node process that synthesizes. A synth allocates many
 * short-lived objects (construct props, JSON, YAML nodes); a larger young
 * generation lets them die young instead of being promoted and collected
 * again and again by full GCs, which made large estates grow worse than
 * linearly. 32 MiB semi-spaces do that as well as 64 (within 2% at 5,000
 * tenants) for 190 MiB less memory. `--expose-gc` lets the synth collect the
 * objects it has rendered and released as it goes (`Collector` in
 * `synth/synthesize.ts`).
 *
 * `--interrupt-budget` is four times V8's default (66 KiB of bytecode run
 * before a function is optimized, in Node 20). A synth is a short batch: V8
 * optimized hundreds of functions, among them constructors that run once per
 * tenant, and its optimizing compiles run on background threads, which on a
 * machine of two cores take their time from the main thread and the YAML
 * worker (1,000 tenants: some 600 of 1,400 ms of CPU). Only what stays hot
 * for longer is optimized now (see the README's Performance section).
 */
export const SYNTH_NODE_OPTIONS = ['--max-semi-space-size=32', '--expose-gc', '--interrupt-budget=270336'] as const;
