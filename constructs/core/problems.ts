import { IConstruct } from 'constructs';

/**
 * A model that must not be rendered: every problem found, each naming path,
 * field, value and rule, and the warnings found with them.
 */
export class SynthError extends Error {
  constructor(public readonly problems: readonly string[], public readonly warnings: readonly string[] = []) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the model:\n${problems.map(p => `  ${p}`).join('\n')}`);
    this.name = 'SynthError';
  }
}

/**
 * Runs every validation in the tree and returns all failures at once, each
 * prefixed with the path of its construct: `[dev/cluster/tenants/web] quota.pods = -1: …`.
 */
export function collectProblems(root: IConstruct, constructs = root.node.findAll()): string[] {
  const problems: string[] = [];
  for (const construct of constructs) {
    for (const message of construct.node.validate()) {
      problems.push(`[${construct.node.path}] ${message}`);
    }
  }
  return problems;
}

/** Trees validated without a problem, with the number of constructs they had then. */
const validated = new WeakMap<IConstruct, number>();

/** Trees that a synth validated and is rendering now: nothing adds to them before it ends. */
const rendering = new WeakSet<IConstruct>();

/**
 * Throws a `SynthError` with every problem of `root`'s tree, unless it has
 * none. Renderers call it first, so that no file is ever rendered from an
 * invalid model. A tree is validated again only once constructs were added
 * to it (a tenant added after a synth, say).
 */
export function requireValid(root: IConstruct): void {
  if (rendering.has(root)) return;
  const constructs = root.node.findAll();
  if (validated.get(root) === constructs.length) return;
  const problems = collectProblems(root, constructs);
  if (problems.length > 0) throw new SynthError(problems);
  validated.set(root, constructs.length);
}

/**
 * Runs `render` with `roots` taken as valid by `requireValid` without counting
 * their constructs again for every renderer: for a synth that has just
 * validated them, and whose renderers add nothing to them.
 */
export function renderValidated<T>(roots: readonly IConstruct[], render: () => T): T {
  for (const root of roots) rendering.add(root);
  try {
    return render();
  } finally {
    for (const root of roots) rendering.delete(root);
  }
}

/** Records that `root`'s tree was validated, as part of a larger one, without a problem. */
export function markValid(root: IConstruct): void {
  validated.set(root, root.node.findAll().length);
}
