import { IConstruct } from 'constructs';

/**
 * Runs every validation in the tree and returns all failures at once, each
 * prefixed with the path of its construct: `[dev/cluster/tenants/web] quota.pods = -1: …`.
 */
export function collectProblems(root: IConstruct): string[] {
  const problems: string[] = [];
  for (const construct of root.node.findAll()) {
    for (const message of construct.node.validate()) {
      problems.push(`[${construct.node.path}] ${message}`);
    }
  }
  return problems;
}
