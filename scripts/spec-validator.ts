/**
 * Compiles the spec's JSON Schema into a standalone validator at build time
 * (`lib/constructs/cluster/spec-validator.js`), so that a synth does not
 * spend a tenth of a second compiling it on every run. Run by `npm run
 * build` from the compiled scripts; without it, the schema is compiled at
 * run time (as the tests do from the sources).
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import schema from '../constructs/cluster/cluster-spec.schema.json';
import { SPEC_VALIDATOR_OPTIONS } from '../constructs/cluster/spec-schema';

const ajv = new Ajv({ ...SPEC_VALIDATOR_OPTIONS, code: { source: true } });
writeFileSync(join(__dirname, '..', 'constructs', 'cluster', 'spec-validator.js'), standaloneCode(ajv, ajv.compile(schema)));
