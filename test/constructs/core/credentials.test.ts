import { ClusterSpec, ProductionCluster } from '../../../constructs';
import { credentialsIn } from '../../../constructs/core/credentials';
import { renderEnvironments } from '../../../synth/synthesize';
import { REFERENCE_ENVIRONMENTS } from '../../../src/environments';
import { clusterSpec } from '../../fixtures/cluster-spec';
import { problemsOf } from '../../helpers/objects';

describe('credentialsIn', () => {
  test.each([
    [{ grafana: { 'grafana.ini': { security: { admin_password: 'x' } } } }, 'grafana.grafana.ini.security.admin_password', 'a password'],
    [{ env: [{ name: 'GF_SECURITY_ADMIN_PASSWORD', value: 'x' }] }, 'env[0].value', 'a password (environment variable GF_SECURITY_ADMIN_PASSWORD)'],
    [{ config: { global: { slack_api_url: 'https://hooks.slack.com/services/T0/B0/abc' } } }, 'config.global.slack_api_url', 'a URL with a credential in it'],
    [{ receivers: [{ webhook_configs: [{ url: 'https://hooks.slack.com/services/T0/B0/abc' }] }] }, 'receivers[0].webhook_configs[0].url', 'a Slack webhook URL'],
    [{ teams: 'https://contoso.webhook.office.com/webhookb2/abc' }, 'teams', 'a Microsoft Teams webhook URL'],
    [{ pd: { routing_key: '0123456789abcdef0123456789abcdef' } }, 'pd.routing_key', 'a key'],
    [{ tls: { key: '-----BEGIN RSA PRIVATE KEY-----\nMIIB…' } }, 'tls.key', 'a private key'],
    [{ remote: { url: 'https://robot:s3cret@registry.example.com' } }, 'remote.url', 'a URL with a password'],
    [{ git: { auth: 'ghp_0123456789abcdefghijklmnopqrstuvwxyz' } }, 'git.auth', 'a Git hosting token'],
    [{ aws: { id: 'AKIAABCDEFGHIJKLMNOP' } }, 'aws.id', 'an AWS access key'],
    [{ apiKey: 'x' }, 'apiKey', 'a key'],
    [{ clientSecret: 'x' }, 'clientSecret', 'a secret'],
    [{ bearerToken: 'x' }, 'bearerToken', 'a token'],
  ])('finds %j at %s', (values, path, kind) => {
    expect(credentialsIn(values)).toEqual([{ path, kind }]);
  });

  test('lets references to credentials pass: Secret names and keys, files, valueFrom, empty values', () => {
    expect(credentialsIn({
      admin: { existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
      receivers: [{ slack_configs: [{ api_url_file: '/etc/alertmanager/secrets/x/slack-url' }] }],
      tls: { secretName: 'www-tls' }, bearerTokenFile: '/var/run/secrets/token', tokenRef: 'x',
      env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }, { name: 'API_TOKEN', value: '' }],
      password: '', url: 'https://example.com/hook',
    })).toEqual([]);
  });
});

test('no reference environment holds a credential anywhere in its output', () => {
  for (const file of renderEnvironments(REFERENCE_ENVIRONMENTS).files) {
    const parsed = file.path.endsWith('.json') ? JSON.parse(file.content) : file.content;
    expect({ file: file.path, found: credentialsIn(parsed) }).toEqual({ file: file.path, found: [] });
  }
});

test('a credential in an add-on\'s raw values fails synth, naming where and what but never the value', () => {
  const monitoring = { alertmanager: {}, rawValues: {
    alertmanager: { config: { global: { slack_api_url: 'https://hooks.slack.com/services/T0/B0/s3cret' } } },
    grafana: { 'env': { GF_SECURITY_ADMIN_PASSWORD: 'hunter2' }, 'grafana.ini': { security: { admin_password: 'hunter2' } } },
  } } as unknown as NonNullable<ClusterSpec['addons']>['monitoring'];
  const found = problemsOf(chart => new ProductionCluster(chart, 'cluster', clusterSpec({ addons: { monitoring } })));
  const rule = 'which would be written into the output: reference a Secret instead (the chart\'s existingSecret or secretName value, or valueFrom.secretKeyRef) or a file (a *_file setting)';
  expect(found).toEqual([
    `[test/cluster/addons/monitoring/release] rawValues.alertmanager.config.global.slack_api_url = "(not shown)": looks like a URL with a credential in it, ${rule}`,
    `[test/cluster/addons/monitoring/release] rawValues.grafana.env.GF_SECURITY_ADMIN_PASSWORD = "(not shown)": looks like a password, ${rule}`,
    `[test/cluster/addons/monitoring/release] rawValues.grafana.grafana.ini.security.admin_password = "(not shown)": looks like a password, ${rule}`,
  ]);
  expect(found.join('\n')).not.toMatch(/s3cret|hunter2/);
});
