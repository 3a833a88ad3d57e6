import { IConstruct } from 'constructs';

const WARNING = 'prodk8s:warning';

/** Records a warning on `scope`: synth prints it with the construct's path and goes on. */
export function addWarning(scope: IConstruct, message: string): void {
  scope.node.addMetadata(WARNING, message);
}

/** Every warning in the tree, each prefixed with its construct's path. */
export function collectWarnings(root: IConstruct): string[] {
  return root.node.findAll().flatMap(construct => construct.node.metadata
    .filter(entry => entry.type === WARNING)
    .map(entry => `[${construct.node.path}] ${entry.data}`));
}
