import { ClusterSpec } from '../../constructs';
import { dev } from './dev';
import { prod } from './prod';
import { staging } from './staging';

export { dev, prod, staging };

/** The environments that `npm run synth` renders into dist/, in promotion order. */
export const REFERENCE_ENVIRONMENTS: readonly ClusterSpec[] = [dev, staging, prod];

/** What the prodk8s command loads from this module (see prodk8s.json). */
export const environments = REFERENCE_ENVIRONMENTS;
