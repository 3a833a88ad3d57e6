import { ClusterSpec } from '../../constructs';
import { dev } from './dev';
import { prod } from './prod';
import { staging } from './staging';

export { dev, prod, staging };

/** The environments that `npm run synth` renders into dist/, in promotion order. */
export const REFERENCE_ENVIRONMENTS: readonly ClusterSpec[] = [dev, staging, prod];
