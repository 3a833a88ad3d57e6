import { PriorityClasses } from '../../../constructs';
import { findObject, problemsOf, synthObjects } from '../../helpers/objects';

describe('PriorityClasses', () => {
  test('renders each class cluster-scoped with its value, default and preemption', () => {
    const objects = synthObjects(chart => new PriorityClasses(chart, 'pc', {
      classes: [
        { name: 'high', value: 100000, description: 'user-facing' },
        { name: 'low', value: 1000, globalDefault: true, preemptionPolicy: 'Never' },
      ],
    }));
    expect(findObject(objects, 'PriorityClass', 'high')).toMatchObject({
      apiVersion: 'scheduling.k8s.io/v1', value: 100000, description: 'user-facing', globalDefault: false, preemptionPolicy: 'PreemptLowerPriority',
    });
    expect(findObject(objects, 'PriorityClass', 'low')).toMatchObject({ value: 1000, globalDefault: true, preemptionPolicy: 'Never' });
    expect(findObject(objects, 'PriorityClass', 'low').metadata.namespace).toBeUndefined();
  });

  test('exposes the class names for cross-checks', () => {
    synthObjects(chart => {
      const classes = new PriorityClasses(chart, 'pc', { classes: [{ name: 'a', value: 1 }, { name: 'b', value: 2 }] });
      expect([...classes.names]).toEqual(['a', 'b']);
    });
  });

  test.each([
    [{ name: 'system-high', value: 1 }, 'priorityClasses[0].name = "system-high": the prefix "system-" is reserved for Kubernetes'],
    [{ name: 'High', value: 1 }, 'priorityClasses[0].name = "High": must be a DNS-1123 subdomain'],
    [{ name: 'huge', value: 2_000_000_000 }, 'priorityClasses[0].value = 2000000000: must be a whole number from -2147483648 to 1000000000'],
    [{ name: 'half', value: 1.5 }, 'priorityClasses[0].value = 1.5: must be a whole number'],
    [{ name: 'odd', value: 1, preemptionPolicy: 'Sometimes' as any }, 'priorityClasses[0].preemptionPolicy = "Sometimes": must be one of "PreemptLowerPriority", "Never"'],
  ])('reports %j', (spec, message) => {
    const problems = problemsOf(chart => new PriorityClasses(chart, 'pc', { classes: [spec] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
    expect(problems[0]).toMatch(/^\[test\/pc\] /);
  });

  test('reports duplicate names and several global defaults', () => {
    const problems = problemsOf(chart => new PriorityClasses(chart, 'pc', {
      classes: [{ name: 'a', value: 1, globalDefault: true }, { name: 'a', value: 2, globalDefault: true }],
    }));
    expect(problems).toEqual([
      '[test/pc] priorityClasses[1].name = "a": PriorityClass names must be unique',
      '[test/pc] priorityClasses[*].globalDefault = ["a","a"]: at most one PriorityClass may be the global default',
    ]);
  });
});
