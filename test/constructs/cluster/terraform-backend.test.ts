import { ClusterSpec, ProductionCluster, TerraformBackendSpec } from '../../../constructs';
import { defaultStatePath } from '../../../constructs/cluster/terraform-backend';
import { clusterSpec } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';

/** The problems of a cluster whose backend is `backend` (given as plain JavaScript would). */
const problems = (backend: unknown) => problemsOf(chart => new ProductionCluster(chart, 'cluster',
  clusterSpec({ terraform: { backend: backend as TerraformBackendSpec } }) as ClusterSpec));

describe('the Terraform backend of an environment', () => {
  test('keeps its local state beside the output folder by default, three folders up from the stack', () => {
    expect(defaultStatePath('prod')).toBe('../../../.terraform-state/prod.tfstate');
    expect(problems(undefined)).toEqual([]);
    expect(problems({ type: 'local' })).toEqual([]);
  });

  test('accepts each backend type with its fields', () => {
    const backends: TerraformBackendSpec[] = [
      { type: 'local', path: '/var/lib/terraform/prod.tfstate' },
      { type: 's3', bucket: 'state', region: 'eu-west-1', key: 'prod.tfstate', profile: 'ops', endpoint: 'https://minio.example:9000', dynamodbTable: 'locks', usePathStyle: true },
      { type: 'http', address: 'https://gitlab.example/api/v4/projects/1/terraform/state/prod', lockAddress: 'https://gitlab.example/lock', lockMethod: 'POST' },
      { type: 'pg', schemaName: 'platform' },
      { type: 'kubernetes', secretSuffix: 'prod', namespace: 'terraform', configPath: '~/.kube/mgmt', configContext: 'mgmt' },
      { type: 'gcs', bucket: 'state', prefix: 'prod' },
    ];
    for (const backend of backends) expect(problems(backend)).toEqual([]);
  });

  test('refuses a setting the Terraform stack does not have, such as a misspelt backend', () => {
    const found = problemsOf(chart => new ProductionCluster(chart, 'cluster',
      clusterSpec({ terraform: { backends: { type: 's3' } } as unknown as ClusterSpec['terraform'] })));
    expect(found).toEqual(['[test/cluster] terraform.backends = "(not shown)": is not a setting of the Terraform stack (backend)']);
  });

  test('refuses a switch that is not true or false', () => {
    expect(problems({ type: 's3', bucket: 'state', region: 'eu-west-1', usePathStyle: 'yes' })).toEqual([
      '[test/cluster] terraform.backend.usePathStyle = "yes": must be true or false',
    ]);
  });

  test('refuses an unknown type', () => {
    expect(problems({ type: 'consul' })).toEqual([
      '[test/cluster] terraform.backend.type = "consul": must be one of "local", "s3", "http", "pg", "kubernetes", "gcs"',
    ]);
  });

  test('refuses a missing required field', () => {
    expect(problems({ type: 's3', bucket: 'state' })).toEqual(['[test/cluster] terraform.backend.region = (missing): a s3 backend needs it']);
  });

  test('refuses a credential, without showing it', () => {
    const found = problems({ type: 's3', bucket: 'state', region: 'eu-west-1', secretKey: 'wJalrXUtnFEMI' });
    expect(found).toEqual(['[test/cluster] terraform.backend.secretKey = "(not shown)": is not a field of the s3 backend '
      + '(bucket, region, key, profile, endpoint, dynamodbTable, usePathStyle); credentials are never written into the stack: '
      + 'Terraform takes them from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or `profile`']);
    expect(found.join('\n')).not.toContain('wJalrXUtnFEMI');
    expect(problems({ type: 'pg', connStr: 'postgres://u:p@db/x' })[0]).toContain('Terraform takes them from PG_CONN_STR');
    expect(problems({ type: 'http', address: 'https://x', password: 'p' })[0]).toContain('Terraform takes them from TF_HTTP_USERNAME/TF_HTTP_PASSWORD');
  });

  test('refuses interpolation, a line break or an empty value, which Terraform would not read literally', () => {
    expect(problems({ type: 'local', path: '${path.module}/state' })).toEqual(['[test/cluster] terraform.backend.path = "${path.module}/state": '
      + 'must be a non-empty line of text without `${` or `%{`: Terraform reads backend settings literally, without interpolation']);
    expect(problems({ type: 'gcs', bucket: 'a\nb' })).toHaveLength(1);
    expect(problems({ type: 'gcs', bucket: '' })).toHaveLength(1);
    expect(problems({ type: 'gcs', bucket: 42 })).toHaveLength(1);
  });
});
