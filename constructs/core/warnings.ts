import { IConstruct } from 'constructs';

const WARNING = 'prodk8s:warning';

/** Roots whose warnings a prodk8s synth collects and prints itself. */
const reportedByProdk8s = new WeakSet<IConstruct>();

/** Warnings already printed as process warnings, so that a second validation does not repeat them. */
const emitted = new WeakMap<IConstruct, Set<string>>();

/**
 * Records a warning on `scope`: a prodk8s synth prints it with the
 * construct's path and goes on. In any other app (a user's own cdk8s `App`),
 * the validation that `app.synth()` runs emits it as a Node process warning
 * (`ProdK8sWarning`, on stderr unless node runs with `--no-warnings`), so it
 * is seen there too.
 */
export function addWarning(scope: IConstruct, message: string): void {
  scope.node.addMetadata(WARNING, message);
  scope.node.addValidation({
    validate: () => {
      const root = scope.node.root;
      const seen = emitted.get(root) ?? new Set<string>();
      emitted.set(root, seen);
      const text = `[${scope.node.path}] ${message}`;
      if (!reportedByProdk8s.has(root) && !seen.has(text)) {
        seen.add(text);
        process.emitWarning(text, 'ProdK8sWarning');
      }
      return [];
    },
  });
}

/**
 * Every warning in the tree, each prefixed with its construct's path. The
 * caller prints them: from now on, validating the tree emits no process
 * warnings of its own.
 */
export function collectWarnings(root: IConstruct, constructs = root.node.findAll()): string[] {
  reportedByProdk8s.add(root.node.root);
  return warningsOf(root, constructs);
}

/** The warnings of `scope` and everything under it (`constructs`), each prefixed with its construct's path; nothing else changes. */
export function warningsOf(scope: IConstruct, constructs = scope.node.findAll()): string[] {
  return constructs.flatMap(construct => construct.node.metadata
    .filter(entry => entry.type === WARNING)
    .map(entry => `[${construct.node.path}] ${entry.data}`));
}
