import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Service } from 'kubernetes-models/v1';
import {
  AutoscalingSpec, TenantAutoscaler, TenantAutoscalerProps, TenantWorkload, TenantWorkloadProps, WorkloadSpec,
} from '../../../constructs/tenancy/tenant-workload';
import { KubeObject } from '../../../synth/manifest-layout';
import { findObject, namesOf, problemsOf, synthObjects } from '../../helpers/objects';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

// The HPA walkthrough of the Kubernetes documentation: a CPU-bound web server, pinned by digest.
const phpApache: WorkloadSpec = {
  name: 'php-apache',
  image: `registry.k8s.io/hpa-example@${DIGEST}`,
  containerPort: 80,
  resources: { requests: { cpu: '200m' }, limits: { cpu: '500m' } },
  autoscaling: { minReplicas: 1, maxReplicas: 10, cpuUtilization: 50 },
};

const props: TenantWorkloadProps = { namespace: 'web', workload: phpApache, metricsServer: true };

function render(overrides: Partial<TenantWorkloadProps> = {}): KubeObject[] {
  return synthObjects(chart => new TenantWorkload(chart, 'web', { ...props, ...overrides }));
}

function withWorkload(workload: Partial<WorkloadSpec>): Partial<TenantWorkloadProps> {
  return { workload: { ...phpApache, ...workload } };
}

function withAutoscaling(autoscaling: Partial<AutoscalingSpec>): Partial<TenantWorkloadProps> {
  return withWorkload({ autoscaling: { ...phpApache.autoscaling!, ...autoscaling } });
}

function workloadProblems(overrides: Partial<TenantWorkloadProps>): string[] {
  return problemsOf(chart => new TenantWorkload(chart, 'web', { ...props, ...overrides }));
}

/** The kubernetes-models validators of the kinds a workload renders. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

function schemaErrors(objects: readonly KubeObject[]): [string, string][] {
  return objects.flatMap((object): [string, string][] => {
    const Model = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!Model) return [[`${object.kind}/${object.metadata.name}`, 'no schema registered']];
    try {
      new Model(object).validate();
      return [];
    } catch (error) {
      return [[`${object.kind}/${object.metadata.name}`, (error as Error).message]];
    }
  });
}

describe('TenantWorkload', () => {
  describe('renders the Deployment', () => {
    const objects = render();
    const deployment = findObject(objects, 'Deployment', 'php-apache', 'web');

    test('labelled and selected by its name', () => {
      expect(deployment.apiVersion).toBe('apps/v1');
      expect(deployment.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'php-apache', 'app.kubernetes.io/managed-by': 'prodk8s' });
      expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'php-apache' } });
      expect(deployment.spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'php-apache' });
    });

    test('with one container, its port and resources', () => {
      const containers = deployment.spec.template.spec.containers;
      expect(containers).toHaveLength(1);
      expect(containers[0]).toMatchObject({
        name: 'php-apache',
        image: `registry.k8s.io/hpa-example@${DIGEST}`,
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        resources: { requests: { cpu: '200m' }, limits: { cpu: '500m' } },
      });
      expect(containers[0].args).toBeUndefined();
    });

    test('with a hardened securityContext that leaves runAsNonRoot to restricted namespaces', () => {
      expect(deployment.spec.template.spec.containers[0].securityContext).toEqual({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    });

    test('without replicas under autoscaling, so the HPA owns them', () => {
      expect(deployment.spec).not.toHaveProperty('replicas');
    });
  });

  test('requires a non-root user where the namespace enforces the restricted level', () => {
    const deployment = findObject(render({ podSecurityRestricted: true }), 'Deployment', 'php-apache');
    expect(deployment.spec.template.spec.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('declares one replica by default without autoscaling', () => {
    const deployment = findObject(render(withWorkload({ autoscaling: undefined })), 'Deployment', 'php-apache');
    expect(deployment.spec.replicas).toBe(1);
  });

  test('declares the replicas given without autoscaling', () => {
    const deployment = findObject(render(withWorkload({ autoscaling: undefined, replicas: 3 })), 'Deployment', 'php-apache');
    expect(deployment.spec.replicas).toBe(3);
  });

  test('passes args, requests and limits of both resources to the container', () => {
    const deployment = findObject(render(withWorkload({
      args: ['--port', '8080'],
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    })), 'Deployment', 'php-apache');
    const [container] = deployment.spec.template.spec.containers;
    expect(container.args).toEqual(['--port', '8080']);
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } });
  });

  test('leaves limits out when none are given', () => {
    const deployment = findObject(render(withWorkload({ resources: { requests: { cpu: '200m' } } })), 'Deployment', 'php-apache');
    expect(deployment.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '200m' } });
  });

  describe('renders the Service', () => {
    test('as a ClusterIP named like the workload, from port 80 to the container port', () => {
      const service = findObject(render(withWorkload({ containerPort: 8080 })), 'Service', 'php-apache', 'web');
      expect(service.apiVersion).toBe('v1');
      expect(service.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'php-apache', 'app.kubernetes.io/managed-by': 'prodk8s' });
      expect(service.spec).toEqual({
        type: 'ClusterIP',
        selector: { 'app.kubernetes.io/name': 'php-apache' },
        ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
      });
    });

    test('not without a container port', () => {
      const objects = render(withWorkload({ containerPort: undefined }));
      expect(namesOf(objects, 'Service')).toEqual([]);
      expect(findObject(objects, 'Deployment', 'php-apache').spec.template.spec.containers[0].ports).toBeUndefined();
    });

    test('not when turned off', () => {
      expect(namesOf(render(withWorkload({ service: false })), 'Service')).toEqual([]);
    });
  });

  describe('renders the HorizontalPodAutoscaler', () => {
    test('of the classic example: 1 to 10 replicas at 50% cpu', () => {
      const hpa = findObject(render(), 'HorizontalPodAutoscaler', 'php-apache', 'web');
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'php-apache' },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      });
    });

    test('not without autoscaling', () => {
      expect(namesOf(render(withWorkload({ autoscaling: undefined })), 'HorizontalPodAutoscaler')).toEqual([]);
    });

    test('with one replica at least by default', () => {
      const hpa = findObject(render(withAutoscaling({ minReplicas: undefined })), 'HorizontalPodAutoscaler', 'php-apache');
      expect(hpa.spec.minReplicas).toBe(1);
    });

    test('with cpu before memory utilization', () => {
      const hpa = findObject(render({
        workload: { ...phpApache, resources: { requests: { cpu: '200m', memory: '256Mi' } }, autoscaling: { maxReplicas: 4, cpuUtilization: 60, memoryUtilization: 80 } },
      }), 'HorizontalPodAutoscaler', 'php-apache');
      expect(hpa.spec.metrics).toEqual([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
      ]);
    });

    test('with the scaling behavior of each direction', () => {
      const hpa = findObject(render(withAutoscaling({
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }],
          },
          scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
        },
      })), 'HorizontalPodAutoscaler', 'php-apache');
      expect(hpa.spec.behavior).toEqual({
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }],
        },
        scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
      });
    });

    test('with one direction of behavior, leaving the other to the defaults', () => {
      const hpa = findObject(render(withAutoscaling({ behavior: { scaleDown: { selectPolicy: 'Disabled' } } })), 'HorizontalPodAutoscaler', 'php-apache');
      expect(hpa.spec.behavior).toEqual({ scaleDown: { selectPolicy: 'Disabled' } });
    });

    test('without behavior when none is given', () => {
      expect(findObject(render(), 'HorizontalPodAutoscaler', 'php-apache').spec).not.toHaveProperty('behavior');
    });

    test('with custom metrics of each type', () => {
      const hpa = findObject(render(withAutoscaling({
        cpuUtilization: undefined,
        customMetrics: [
          { name: 'packets-per-second', type: 'Pods', target: { averageValue: '1k' } },
          {
            name: 'requests-per-second', type: 'Object', target: { value: '10k' },
            describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main-route' },
          },
          {
            name: 'requests-per-second', type: 'Object', target: { averageValue: '500' },
            describedObject: { apiVersion: 'v1', kind: 'Service', name: 'php-apache' },
          },
          { name: 'queue_messages_ready', type: 'External', target: { averageValue: '30' }, selector: { queue: 'worker_tasks' } },
          { name: 'queue_messages_ready', type: 'External', target: { value: '100' } },
        ],
      })), 'HorizontalPodAutoscaler', 'php-apache');
      expect(hpa.spec.metrics).toEqual([
        { type: 'Pods', pods: { metric: { name: 'packets-per-second' }, target: { type: 'AverageValue', averageValue: '1k' } } },
        {
          type: 'Object',
          object: {
            describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main-route' },
            metric: { name: 'requests-per-second' },
            target: { type: 'Value', value: '10k' },
          },
        },
        {
          type: 'Object',
          object: {
            describedObject: { apiVersion: 'v1', kind: 'Service', name: 'php-apache' },
            metric: { name: 'requests-per-second' },
            target: { type: 'AverageValue', averageValue: '500' },
          },
        },
        {
          type: 'External',
          external: {
            metric: { name: 'queue_messages_ready', selector: { matchLabels: { queue: 'worker_tasks' } } },
            target: { type: 'AverageValue', averageValue: '30' },
          },
        },
        { type: 'External', external: { metric: { name: 'queue_messages_ready' }, target: { type: 'Value', value: '100' } } },
      ]);
    });
  });

  describe('renders objects valid against their schemas', () => {
    test('for the classic example', () => {
      const objects = render();
      expect(objects.map(o => o.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'Service']);
      expect(schemaErrors(objects)).toEqual([]);
    });

    test('for a workload with every option', () => {
      const objects = render({
        podSecurityRestricted: true,
        workload: {
          name: 'api',
          image: 'registry.example.com:5000/team/api:1.4.2',
          containerPort: 8080,
          args: ['serve'],
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
          autoscaling: {
            minReplicas: 2,
            maxReplicas: 20,
            cpuUtilization: 70,
            memoryUtilization: 85,
            customMetrics: [
              { name: 'rps', type: 'Pods', target: { averageValue: '100' }, selector: { route: 'api' } },
              { name: 'rps', type: 'Object', target: { value: '2k' }, describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'api' } },
              { name: 'backlog', type: 'External', target: { averageValue: '50' } },
            ],
            behavior: {
              scaleUp: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
              scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
            },
          },
        },
      });
      expect(objects).toHaveLength(3);
      expect(schemaErrors(objects)).toEqual([]);
    });

    test('and the check catches a broken one', () => {
      const hpa = findObject(render(), 'HorizontalPodAutoscaler', 'php-apache');
      const broken = { ...hpa, spec: { ...hpa.spec, scaleTargetRef: { name: 'php-apache' } } };
      expect(schemaErrors([broken])).toEqual([['HorizontalPodAutoscaler/php-apache', expect.stringMatching(/must have required property kind/)]]);
    });

    test('for a workload with fixed replicas and no Service', () => {
      const objects = render({ workload: { name: 'worker', image: 'ghcr.io/team/worker:2024.06.1', replicas: 2, resources: { requests: { memory: '64Mi' } } } });
      expect(objects.map(o => o.kind)).toEqual(['Deployment']);
      expect(schemaErrors(objects)).toEqual([]);
    });
  });

  describe('accepts', () => {
    test('the classic example without problems', () => {
      expect(workloadProblems({})).toEqual([]);
    });

    test.each([
      ['a tag', 'registry.k8s.io/hpa-example:1.0'],
      ['a registry port and a tag', 'localhost:5000/team/app:v2'],
      ['a Docker Hub short name with a tag', 'nginx:1.27.0-alpine'],
      ['a tag and a digest', `nginx:latest@${DIGEST}`],
      ['a sha512 digest', `ghcr.io/team/app@sha512:${'ab'.repeat(64)}`],
    ])('an image pinned by %s', (_, image) => {
      expect(workloadProblems(withWorkload({ image }))).toEqual([]);
    });

    test('custom metrics without metrics-server', () => {
      expect(workloadProblems({
        metricsServer: false,
        workload: { ...phpApache, autoscaling: { maxReplicas: 5, customMetrics: [{ name: 'rps', type: 'Pods', target: { averageValue: '10' } }] } },
      })).toEqual([]);
    });

    test('a name starting with a digit when no Service takes it', () => {
      expect(workloadProblems(withWorkload({ name: '2fa', containerPort: undefined, autoscaling: undefined }))).toEqual([]);
    });
  });

  describe('reports', () => {
    const pinned = 'must be pinned to a tag other than "latest" or to a digest (@sha256:…): an untagged or "latest" image changes under the same manifest, '
      + 'so nodes may run different builds and a rollback cannot restore the previous one';
    const at = '[test/web]';
    const autoscaler = '[test/web/autoscaler]';

    test.each<[string, Partial<TenantWorkloadProps>, string]>([
      ['the classic example\'s latest tag', withWorkload({ image: 'registry.k8s.io/hpa-example:latest' }),
        `${at} image = "registry.k8s.io/hpa-example:latest": ${pinned}`],
      ['an untagged image', withWorkload({ image: 'registry.k8s.io/hpa-example' }),
        `${at} image = "registry.k8s.io/hpa-example": ${pinned}`],
      ['a registry port taken for a tag', withWorkload({ image: 'localhost:5000/app' }),
        `${at} image = "localhost:5000/app": ${pinned}`],
      ['an image that is not a reference', withWorkload({ image: 'Registry.example.com/Team/App:1' }),
        `${at} image = "Registry.example.com/Team/App:1": must be an image reference such as registry.example.com/team/app:1.4.2 or registry.example.com/team/app@sha256:<64 hex digits>`],
      ['a truncated digest', withWorkload({ image: 'nginx@sha256:0123abcd' }),
        `${at} image = "nginx@sha256:0123abcd": must be an image reference such as registry.example.com/team/app:1.4.2 or registry.example.com/team/app@sha256:<64 hex digits>`],
      ['a name that is not a DNS-1123 label', withWorkload({ name: 'PHP_apache' }),
        `${at} name = "PHP_apache": must be a DNS-1123 label: at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit`],
      ['a Service name starting with a digit', withWorkload({ name: '2fa' }),
        `${at} name = "2fa": must start with a letter: the Service takes this name, and Service names are DNS-1035 labels`],
      ['replicas next to autoscaling', withWorkload({ replicas: 3 }),
        `${at} replicas = 3: must be left out with autoscaling: the HorizontalPodAutoscaler owns the replica count (set autoscaling.minReplicas instead)`],
      ['replicas that are not whole', withWorkload({ replicas: 1.5, autoscaling: undefined }),
        `${at} replicas = 1.5: must be a whole number, zero or more`],
      ['a container port out of range', withWorkload({ containerPort: 0 }),
        `${at} containerPort = 0: must be a port number from 1 to 65535`],
      ['a Service without a container port', withWorkload({ containerPort: undefined, service: true }),
        `${at} service = true: needs containerPort: the Service forwards port 80 to it`],
      ['a request that is not a quantity', withWorkload({ resources: { requests: { cpu: '200m', memory: '1 GB' } } }),
        `${at} resources.requests.memory = "1 GB": must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi`],
      ['a negative limit', withWorkload({ resources: { requests: { cpu: '200m' }, limits: { memory: '-1Gi' } } }),
        `${at} resources.limits.memory = "-1Gi": must not be negative`],
      ['a limit below its request', withWorkload({ resources: { requests: { cpu: '200m' }, limits: { cpu: '100m' } } }),
        `${at} resources.limits.cpu = "100m": must not be below resources.requests.cpu (200m): the API server refuses a container whose limit is below its request`],
      ['cpu utilization without metrics-server', { metricsServer: false },
        `${autoscaler} autoscaling.cpuUtilization = 50: needs metrics-server, which the environment does not run: the HPA reads cpu and memory use from the resource metrics API it serves`],
      ['memory utilization without metrics-server', { metricsServer: false, workload: { ...phpApache, resources: { requests: { memory: '128Mi' } }, autoscaling: { maxReplicas: 10, memoryUtilization: 80 } } },
        `${autoscaler} autoscaling.memoryUtilization = 80: needs metrics-server, which the environment does not run: the HPA reads cpu and memory use from the resource metrics API it serves`],
      ['cpu utilization without a cpu request', withWorkload({ resources: { requests: { memory: '128Mi' } } }),
        `${autoscaler} autoscaling.cpuUtilization = 50: needs a non-zero resources.requests.cpu on every container of Deployment php-apache: `
        + 'the HPA computes utilization as a share of requests, and without them it reports <unknown> and never scales'],
      ['cpu utilization with a zero cpu request', withWorkload({ resources: { requests: { cpu: '0' } } }),
        `${autoscaler} autoscaling.cpuUtilization = 50: needs a non-zero resources.requests.cpu on every container of Deployment php-apache: `
        + 'the HPA computes utilization as a share of requests, and without them it reports <unknown> and never scales'],
      ['memory utilization without a memory request', withAutoscaling({ memoryUtilization: 75 }),
        `${autoscaler} autoscaling.memoryUtilization = 75: needs a non-zero resources.requests.memory on every container of Deployment php-apache: `
        + 'the HPA computes utilization as a share of requests, and without them it reports <unknown> and never scales'],
      ['a utilization that is not a whole percentage', withAutoscaling({ cpuUtilization: 0.5 }),
        `${autoscaler} autoscaling.cpuUtilization = 0.5: must be a whole percentage of the requests from 1 to 1000`],
      ['a utilization above 1000%', withAutoscaling({ cpuUtilization: 5000 }),
        `${autoscaler} autoscaling.cpuUtilization = 5000: must be a whole percentage of the requests from 1 to 1000`],
      ['no metric', withWorkload({ autoscaling: { minReplicas: 1, maxReplicas: 3 } }),
        `${autoscaler} autoscaling = {"minReplicas":1,"maxReplicas":3}: needs at least one metric: cpuUtilization, memoryUtilization or customMetrics `
        + '(without one the API server would silently scale on 80% cpu)'],
      ['a minimum of zero', withAutoscaling({ minReplicas: 0 }),
        `${autoscaler} autoscaling.minReplicas = 0: must be a whole number, 1 or more`],
      ['a maximum that is not whole', withAutoscaling({ maxReplicas: 2.5 }),
        `${autoscaler} autoscaling.maxReplicas = 2.5: must be a whole number, 1 or more`],
      ['a maximum below the minimum', withAutoscaling({ minReplicas: 4, maxReplicas: 3 }),
        `${autoscaler} autoscaling.maxReplicas = 3: must not be below autoscaling.minReplicas (4)`],
      ['a stabilization window over an hour', withAutoscaling({ behavior: { scaleDown: { stabilizationWindowSeconds: 7200 } } }),
        `${autoscaler} autoscaling.behavior.scaleDown.stabilizationWindowSeconds = 7200: must be a whole number of seconds from 0 to 3600`],
      ['a negative stabilization window', withAutoscaling({ behavior: { scaleUp: { stabilizationWindowSeconds: -1 } } }),
        `${autoscaler} autoscaling.behavior.scaleUp.stabilizationWindowSeconds = -1: must be a whole number of seconds from 0 to 3600`],
      ['an unknown select policy', withAutoscaling({ behavior: { scaleUp: { selectPolicy: 'Average' as any } } }),
        `${autoscaler} autoscaling.behavior.scaleUp.selectPolicy = "Average": must be one of "Max", "Min", "Disabled"`],
      ['an empty policy list', withAutoscaling({ behavior: { scaleUp: { policies: [] } } }),
        `${autoscaler} autoscaling.behavior.scaleUp.policies = []: must list at least one policy, or be left out for the Kubernetes defaults: the API server refuses an empty list`],
      ['an unknown policy type', withAutoscaling({ behavior: { scaleUp: { policies: [{ type: 'Replicas' as any, value: 2, periodSeconds: 60 }] } } }),
        `${autoscaler} autoscaling.behavior.scaleUp.policies[0].type = "Replicas": must be one of "Pods", "Percent"`],
      ['a policy value of zero', withAutoscaling({ behavior: { scaleDown: { policies: [{ type: 'Percent', value: 0, periodSeconds: 60 }] } } }),
        `${autoscaler} autoscaling.behavior.scaleDown.policies[0].value = 0: must be a whole number greater than 0`],
      ['a policy period over 30 minutes', withAutoscaling({ behavior: { scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 3600 }] } } }),
        `${autoscaler} autoscaling.behavior.scaleDown.policies[0].periodSeconds = 3600: must be a whole number of seconds from 1 to 1800`],
      ['a policy period of zero', withAutoscaling({ behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 0 }] } } }),
        `${autoscaler} autoscaling.behavior.scaleUp.policies[0].periodSeconds = 0: must be a whole number of seconds from 1 to 1800`],
      ['an Object metric without its object', withAutoscaling({ customMetrics: [{ name: 'rps', type: 'Object', target: { value: '10' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].describedObject = (missing): an Object metric needs the object it describes, such as the Ingress whose requests it counts`],
      ['a described object on a Pods metric', withAutoscaling({ customMetrics: [
        { name: 'rps', type: 'Pods', target: { averageValue: '10' }, describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].describedObject = {"apiVersion":"v1","kind":"Service","name":"web"}: applies to Object metrics only`],
      ['a described object without a kind', withAutoscaling({ customMetrics: [
        { name: 'rps', type: 'Object', target: { value: '10' }, describedObject: { apiVersion: 'v1', kind: '', name: 'web' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].describedObject.kind = "": must name a kind, such as Deployment`],
      ['a described object with an invalid name', withAutoscaling({ customMetrics: [
        { name: 'rps', type: 'Object', target: { value: '10' }, describedObject: { apiVersion: 'v1', kind: 'Service', name: 'Web' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].describedObject.name = "Web": must be a DNS-1123 subdomain: dot-separated labels of a-z, 0-9 and '-', at most 253 characters`],
      ['a Pods metric with a total value', withAutoscaling({ customMetrics: [{ name: 'rps', type: 'Pods', target: { averageValue: '10', value: '100' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].target.value = "100": a Pods metric is averaged over the pods: give target.averageValue instead`],
      ['a Pods metric without an average', withAutoscaling({ customMetrics: [{ name: 'rps', type: 'Pods', target: {} }] }),
        `${autoscaler} autoscaling.customMetrics[0].target.averageValue = (missing): a Pods metric needs a target averageValue, the value per pod`],
      ['an External metric with both targets', withAutoscaling({ customMetrics: [{ name: 'backlog', type: 'External', target: { averageValue: '10', value: '100' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].target = {"averageValue":"10","value":"100"}: give value (the metric as a whole) or averageValue (the metric divided by the number of pods), not both`],
      ['an External metric without a target', withAutoscaling({ customMetrics: [{ name: 'backlog', type: 'External', target: {} }] }),
        `${autoscaler} autoscaling.customMetrics[0].target = {}: needs value (the metric as a whole) or averageValue (the metric divided by the number of pods)`],
      ['an Object metric without a target', withAutoscaling({ customMetrics: [
        { name: 'rps', type: 'Object', target: {}, describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].target = {}: needs value (the metric as a whole) or averageValue (the metric divided by the number of pods)`],
      ['a target that is not a quantity', withAutoscaling({ customMetrics: [{ name: 'backlog', type: 'External', target: { value: '100 msgs' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].target.value = "100 msgs": must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi`],
      ['a target of zero', withAutoscaling({ customMetrics: [{ name: 'rps', type: 'Pods', target: { averageValue: '0' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].target.averageValue = "0": must be greater than 0`],
      ['a negative target', withAutoscaling({ customMetrics: [{ name: 'backlog', type: 'External', target: { value: '-5' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].target.value = "-5": must not be negative`],
      ['an unknown metric type', withAutoscaling({ customMetrics: [{ name: 'rps', type: 'Resource' as any, target: { value: '10' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].type = "Resource": must be one of "Pods", "Object", "External"`],
      ['a metric name with a slash', withAutoscaling({ customMetrics: [{ name: 'http/requests', type: 'Pods', target: { averageValue: '10' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].name = "http/requests": must be a metric name: not empty, not "." or "..", and without "/" or "%"`],
      ['an empty metric name', withAutoscaling({ customMetrics: [{ name: '', type: 'Pods', target: { averageValue: '10' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].name = "": must be a metric name: not empty, not "." or "..", and without "/" or "%"`],
      ['an invalid metric selector', withAutoscaling({ customMetrics: [{ name: 'rps', type: 'Pods', target: { averageValue: '10' }, selector: { route: 'a b' } }] }),
        `${autoscaler} autoscaling.customMetrics[0].selector.route = "a b": label values must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`],
    ])('%s', (_, overrides, message) => {
      expect(workloadProblems(overrides)).toEqual([message]);
    });

    test('a Pods metric with only a total value, both ways', () => {
      expect(workloadProblems(withAutoscaling({ customMetrics: [{ name: 'rps', type: 'Pods', target: { value: '100' } }] }))).toEqual([
        `${autoscaler} autoscaling.customMetrics[0].target.value = "100": a Pods metric is averaged over the pods: give target.averageValue instead`,
        `${autoscaler} autoscaling.customMetrics[0].target.averageValue = (missing): a Pods metric needs a target averageValue, the value per pod`,
      ]);
    });

    test('an invalid name once, though the autoscaler takes it too', () => {
      expect(workloadProblems(withWorkload({ name: 'PHP' }))).toEqual([
        `${at} name = "PHP": must be a DNS-1123 label: at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit`,
      ]);
    });

    test('an invalid cpu request once, not again as a missing one', () => {
      expect(workloadProblems(withWorkload({ resources: { requests: { cpu: '200 millicores' } } }))).toEqual([
        `${at} resources.requests.cpu = "200 millicores": must be a Kubernetes quantity such as 500m, 2, 128Mi or 10Gi`,
      ]);
    });
  });
});

describe('TenantAutoscaler', () => {
  const standalone: TenantAutoscalerProps = {
    namespace: 'data',
    target: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'consumer' },
    containersRequest: { cpu: true, memory: false },
    autoscaling: {
      minReplicas: 2,
      maxReplicas: 6,
      cpuUtilization: 75,
      customMetrics: [{ name: 'kafka_consumergroup_lag', type: 'External', target: { averageValue: '1k' }, selector: { topic: 'orders' } }],
    },
    metricsServer: true,
  };

  function autoscalerProblems(overrides: Partial<TenantAutoscalerProps>): string[] {
    return problemsOf(chart => new TenantAutoscaler(chart, 'consumer', { ...standalone, ...overrides }));
  }

  test('scales a target declared elsewhere, named like it', () => {
    const objects = synthObjects(chart => new TenantAutoscaler(chart, 'consumer', standalone));
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'consumer', 'data');
    expect(hpa.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'prodk8s' });
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'consumer' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } } },
        {
          type: 'External',
          external: {
            metric: { name: 'kafka_consumergroup_lag', selector: { matchLabels: { topic: 'orders' } } },
            target: { type: 'AverageValue', averageValue: '1k' },
          },
        },
      ],
    });
    expect(schemaErrors(objects)).toEqual([]);
  });

  test('accepts a valid autoscaler without problems', () => {
    expect(autoscalerProblems({})).toEqual([]);
  });

  test('reports a utilization of a resource the target does not request', () => {
    expect(autoscalerProblems({ autoscaling: { ...standalone.autoscaling, memoryUtilization: 80 } })).toEqual([
      '[test/consumer] autoscaling.memoryUtilization = 80: needs a non-zero resources.requests.memory on every container of StatefulSet consumer: '
      + 'the HPA computes utilization as a share of requests, and without them it reports <unknown> and never scales',
    ]);
  });

  test('reports every broken rule of one utilization at once', () => {
    expect(autoscalerProblems({ metricsServer: false, containersRequest: { cpu: false, memory: false } })).toEqual([
      '[test/consumer] autoscaling.cpuUtilization = 75: needs metrics-server, which the environment does not run: '
      + 'the HPA reads cpu and memory use from the resource metrics API it serves',
      '[test/consumer] autoscaling.cpuUtilization = 75: needs a non-zero resources.requests.cpu on every container of StatefulSet consumer: '
      + 'the HPA computes utilization as a share of requests, and without them it reports <unknown> and never scales',
    ]);
  });

  test.each<[string, TenantAutoscalerProps['target'], string]>([
    ['an invalid target name', { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'Consumer' },
      '[test/consumer] target.name = "Consumer": must be a DNS-1123 subdomain: dot-separated labels of a-z, 0-9 and \'-\', at most 253 characters'],
    ['a target without a kind', { apiVersion: 'apps/v1', kind: '', name: 'consumer' },
      '[test/consumer] target.kind = "": must name a kind, such as Deployment'],
    ['a target without an API version', { apiVersion: '', kind: 'StatefulSet', name: 'consumer' },
      '[test/consumer] target.apiVersion = "": must name an API version, such as apps/v1'],
  ])('reports %s', (_, target, message) => {
    expect(autoscalerProblems({ target })).toEqual([message]);
  });
});
