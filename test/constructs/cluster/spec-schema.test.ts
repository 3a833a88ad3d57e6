import Ajv, { ValidateFunction } from 'ajv';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { ClusterSpec, validate } from '../../../index';
import { loadSpecValidator, SPEC_VALIDATOR_OPTIONS, specShapeProblems } from '../../../constructs/cluster/spec-schema';
import { SCHEMA_FILE, specSchemaText } from '../../../scripts/spec-schema';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { clusterSpec } from '../../fixtures/cluster-spec';

jest.setTimeout(60_000);

/** A spec as plain JSON would give it, with the fields `change` removes or alters. */
function json(change: (spec: any) => void): unknown {
  const spec = JSON.parse(JSON.stringify(clusterSpec()));
  change(spec);
  return spec;
}
const problems = (spec: unknown) => validate([spec as ClusterSpec]).problems;

test('the schema is the one the ClusterSpec types generate (run scripts/spec-schema.ts after changing them)', () => {
  expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(specSchemaText());
});

test('the build\'s precompiled validator reports what the schema compiled at run time does', () => {
  const built = join(__dirname, '../../../lib/constructs/cluster/spec-validator.js');
  expect(existsSync(built)).toBe(true);
  const precompiled = require(built) as ValidateFunction;
  const compiled = new Ajv(SPEC_VALIDATOR_OPTIONS).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  const broken = json(s => { delete s.tenants[0].quota; s.tenant = 1; s.terraform = { backend: { type: 's3' } }; });
  expect(precompiled(broken)).toBe(false);
  expect(compiled(broken)).toBe(false);
  expect(precompiled.errors).toEqual(compiled.errors);
});

test('the validator loads once, for every spec after, and is the one specShapeProblems checks with', () => {
  const validator = loadSpecValidator();
  expect(loadSpecValidator()).toBe(validator);
  const broken = json(s => { s.retentoin = '7d'; });
  expect(validator(broken)).toBe(false);
  expect(validator.errors?.map(error => error.params)).toEqual([{ additionalProperty: 'retentoin' }]);
  expect(specShapeProblems(broken, 0)).toEqual([expect.stringMatching(/^\[\w+\] retentoin = "7d": is not a field of ClusterSpec/)]);
});

test('every reference environment has the shape of a ClusterSpec', () => {
  REFERENCE_ENVIRONMENTS.forEach((spec, index) => expect(specShapeProblems(spec, index)).toEqual([]));
});

describe('a spec from JavaScript or JSON with fields missing or of the wrong type', () => {
  test.each([
    ['no tenants', (s: any) => delete s.tenants, ['[test] tenants = (missing): is required']],
    ['no networking', (s: any) => delete s.networking, ['[test] networking = (missing): is required']],
    ['a tenant without a quota', (s: any) => delete s.tenants[0].quota, ['[test] tenants[0].quota = (missing): is required']],
    ['a pool without a SKU', (s: any) => delete s.nodePools[0].sku, ['[test] nodePools[0].sku = (missing): is required']],
    ['a route without a port', (s: any) => { s.tenants[0].routes = [{ host: 'a.example.com', service: 'web' }]; }, ['[test] tenants[0].routes[0].port = (missing): is required']],
    ['pods as text', (s: any) => { s.tenants[0].quota.pods = '20'; }, ['[test] tenants[0].quota.pods = "20": must be a number']],
    ['a misspelt field', (s: any) => { s.tenant = s.tenants; }, ['[test] tenant = [{"name":"team-a","admins":{"groups":["team-a-admins"]},"quota":{"requests":{...: is not a field of ClusterSpec']],
    ['a taint effect that is none', (s: any) => { s.nodePools[1].taints[0].effect = 'NoExecuteNow'; },
      ['[test] nodePools[1].taints[0].effect = "NoExecuteNow": must be one of "NoSchedule", "PreferNoSchedule", "NoExecute"']],
  ])('%s: a problem naming the field, never a TypeError', (_, change, expected) => {
    expect(problems(json(change))).toEqual(expected);
  });

  test('of a union, the problems of the form its type names', () => {
    expect(problems(json(s => { s.terraform = { backend: { type: 's3', region: 'eu-west-1' } }; }))).toEqual([
      '[test] terraform.backend.bucket = (missing): is required',
    ]);
    expect(problems(json(s => { s.terraform = { backend: { type: 'ftp' } }; }))).toEqual([
      '[test] terraform.backend = {"type":"ftp"}: matches none of the forms it may take',
    ]);
  });

  test('an environment without a name is named by its place, and nothing is built', () => {
    expect(problems(json(s => { delete s.name; }))).toEqual(['[environments[0]] name = (missing): is required']);
    expect(validate([null as unknown as ClusterSpec]).problems).toEqual(['[environments[0]] spec = null: must be an object']);
  });
});
