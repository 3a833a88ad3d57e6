import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ImageRegistry } from '../core/image-registry';
import { Labels } from '../core/labels';
import { Versions } from '../versions';

/** The provisioner name local-path StorageClasses name. */
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';

/** Where node-local volumes are created on each node by default, as upstream has it. */
export const DEFAULT_LOCAL_PATH = '/opt/local-path-provisioner';

export interface LocalPathProvisionerProps {
  /** The directory on every node under which volumes are created. */
  readonly path: string;
  /**
   * The one registry every image is pulled from (`images.registry`).
   * @default each image from its own registry
   */
  readonly imageRegistry?: ImageRegistry;
}

/**
 * Rancher's local-path provisioner: a volume is a directory on the node its
 * first pod runs on, and stays there (the class binds when a pod is
 * scheduled). For small clusters and scratch data: a volume is lost with its
 * node. Rendered as plain objects, the shape of the project's own chart,
 * because the chart is published in no Helm repository that Terraform, Flux
 * and Argo CD could all install it from; the tests compare them with that
 * chart at the pinned version. Its helper pods create and remove the
 * directories through host paths, hence a privileged namespace of its own.
 */
export class LocalPathProvisioner extends Construct {
  public static readonly NAMESPACE = 'local-path-storage';
  private static readonly NAME = 'local-path-provisioner';

  constructor(scope: Construct, id: string, props: LocalPathProvisionerProps) {
    super(scope, id);
    const namespace = LocalPathProvisioner.NAMESPACE;
    const name = LocalPathProvisioner.NAME;
    const labels = { 'app.kubernetes.io/name': name, [Labels.MANAGED_BY]: 'prodk8s' };
    const image = (reference: string) => props.imageRegistry?.image(reference) ?? reference;
    const { provisioner, helper } = Versions.localPathProvisioner;

    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: namespace,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/audit': 'privileged', 'pod-security.kubernetes.io/warn': 'privileged',
        },
      },
    });
    new k8s.KubeServiceAccount(this, 'service-account', { metadata: { name, namespace, labels } });
    new k8s.KubeClusterRole(this, 'cluster-role', {
      metadata: { name, labels },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'configmaps', 'pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'update'] },
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    });
    // The helper pods it starts on the nodes, in its own namespace only.
    new k8s.KubeRole(this, 'role', {
      metadata: { name, namespace, labels },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] }],
    });
    new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata: { name, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    });
    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: 'local-path-config', namespace, labels },
      data: {
        'config.json': JSON.stringify({ nodePathMap: [{ node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES', paths: [props.path] }] }, undefined, 2),
        'setup': '#!/bin/sh\nset -eu\nmkdir -m 0777 -p "$VOL_DIR"\n',
        'teardown': '#!/bin/sh\nset -eu\nrm -rf "$VOL_DIR"\n',
        // Created on the volume's node; it must run there whatever the node's taints.
        'helperPod.yaml': JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'helper-pod', namespace },
          spec: {
            priorityClassName: 'system-node-critical',
            tolerations: [{ operator: 'Exists' }],
            containers: [{ name: 'helper-pod', image: image(helper), imagePullPolicy: 'IfNotPresent' }],
          },
        }, undefined, 2),
      },
    });
    const selector = { 'app.kubernetes.io/name': name };
    const probe = (path: string, delay: number, period: number) => ({
      httpGet: { path, port: k8s.IntOrString.fromString('health') }, initialDelaySeconds: delay, periodSeconds: period,
    });
    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...labels } },
          spec: {
            serviceAccountName: name,
            priorityClassName: 'system-cluster-critical',
            containers: [{
              name,
              image: image(provisioner),
              imagePullPolicy: 'IfNotPresent',
              command: [
                'local-path-provisioner', 'start', '--config', '/etc/config/config.json', '--service-account-name', name,
                '--provisioner-name', LOCAL_PATH_PROVISIONER, '--helper-image', image(helper), '--configmap-name', 'local-path-config',
              ],
              env: [
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'CONFIG_MOUNT_PATH', value: '/etc/config/' },
                { name: 'HEALTH_PORT', value: '8080' },
              ],
              ports: [{ name: 'health', containerPort: 8080, protocol: 'TCP' }],
              startupProbe: { ...probe('/health', 5, 5), failureThreshold: 12 },
              livenessProbe: probe('/health', 10, 10),
              readinessProbe: probe('/ready', 5, 5),
              resources: { requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') }, limits: { memory: k8s.Quantity.fromString('128Mi') } },
              volumeMounts: [{ name: 'config-volume', mountPath: '/etc/config/' }],
            }],
            volumes: [{ name: 'config-volume', configMap: { name: 'local-path-config' } }],
          },
        },
      },
    });
  }
}
