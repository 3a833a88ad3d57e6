/**
 * Options of the node process that synthesizes. A synth allocates many
 * short-lived objects (construct props, JSON, YAML nodes); a larger young
 * generation lets them die young instead of being promoted and collected
 * again and again by full GCs, which made large estates grow worse than
 * linearly. 32 MiB semi-spaces do that as well as 64 (within 2% at 5,000
 * tenants) for 190 MiB less memory. `--expose-gc` lets the synth collect the
 * objects it has rendered and released as it goes (`Collector` in
 * `synth/synthesize.ts`). V8's tiering is tuned by the command itself
 * (`cli/short-run.ts`), so that a consumer's `npx prodk8s` has it too.
 */
export const SYNTH_NODE_OPTIONS = ['--max-semi-space-size=32', '--expose-gc'] as const;
