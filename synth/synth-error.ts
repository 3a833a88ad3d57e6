/** A synth that must not write anything: every problem found, each naming path, field, value and rule. */
export class SynthError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the model:\n${problems.map(p => `  ${p}`).join('\n')}`);
    this.name = 'SynthError';
  }
}
