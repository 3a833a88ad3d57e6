import { Chart, Testing } from 'cdk8s';
import { collectProblems } from '../../constructs/core/problems';
import { KubeObject } from '../../synth/manifest-layout';

/** Synthesizes a fresh chart after `build` added constructs to it. */
export function synthObjects(build: (chart: Chart) => void): KubeObject[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart) as KubeObject[];
}

/** The object of that kind and name (and namespace, if given); fails the test if there is not exactly one. */
export function findObject(objects: readonly KubeObject[], kind: string, name: string, namespace?: string): any {
  const found = objects.filter(o => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}/${name}${namespace ? ` in ${namespace}` : ''}, found ${found.length}`);
  }
  return found[0];
}

/** Names of all objects of a kind, sorted. */
export function namesOf(objects: readonly KubeObject[], kind: string): string[] {
  return objects.filter(o => o.kind === kind).map(o => o.metadata.name ?? '').sort();
}

/** The validation problems of a chart built by `build`, each with its construct path. */
export function problemsOf(build: (chart: Chart) => void): string[] {
  const chart = Testing.chart();
  build(chart);
  return collectProblems(chart);
}
