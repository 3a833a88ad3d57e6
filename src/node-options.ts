/**
 * Options of the node process that synthesizes. A synth allocates many
 * short-lived objects (construct props, JSON, YAML nodes); a larger young
 * generation lets them die young instead of being promoted and collected
 * again and again by full GCs, which made large estates grow worse than
 * linearly.
 */
export const SYNTH_NODE_OPTIONS = ['--max-semi-space-size=64'] as const;
