/**
 * Writes `constructs/cluster/cluster-spec.schema.json`, the JSON Schema of
 * `ClusterSpec` generated from its TypeScript types, which a spec from
 * JavaScript, JSON or YAML is checked against before any construct is built.
 * Run after changing the spec's types (a test fails while the file is stale):
 *
 *   npx ts-node scripts/spec-schema.ts
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import stableStringify from 'json-stable-stringify';
import { createGenerator } from 'ts-json-schema-generator';

const ROOT = join(__dirname, '..');
export const SCHEMA_FILE = join(ROOT, 'constructs/cluster/cluster-spec.schema.json');

/** The schema's text: every interface closed (an unknown field is an error), keys sorted, no documentation. */
export function specSchemaText(): string {
  const schema = createGenerator({
    path: join(ROOT, 'constructs/cluster/cluster-spec.ts'),
    tsconfig: join(ROOT, 'tsconfig.json'),
    type: 'ClusterSpec',
    additionalProperties: false,
    skipTypeCheck: true,
    expose: 'export',
    topRef: true,
    jsDoc: 'none',
  }).createSchema('ClusterSpec');
  return stableStringify(schema, { space: 1 })! + '\n';
}

if (require.main === module) writeFileSync(SCHEMA_FILE, specSchemaText());
