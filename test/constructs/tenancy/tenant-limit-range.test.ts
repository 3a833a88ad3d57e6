import { TenantLimitRange } from '../../../constructs';
import { findObject, synthObjects } from '../../helpers/objects';

describe('TenantLimitRange', () => {
  test('gives containers default requests and a memory limit, but no cpu limit, by default', () => {
    const objects = synthObjects(chart => new TenantLimitRange(chart, 'limits', { namespace: 'web' }));
    const range = findObject(objects, 'LimitRange', 'defaults', 'web');
    expect(range.spec.limits).toEqual([{
      type: 'Container',
      defaultRequest: { cpu: '100m', memory: '128Mi' },
      default: { memory: '512Mi' },
    }]);
  });

  test('renders the given defaults and caps', () => {
    const objects = synthObjects(chart => new TenantLimitRange(chart, 'limits', {
      namespace: 'pay',
      limits: {
        defaultRequest: { cpu: '250m', memory: '256Mi' },
        defaultLimit: { cpu: '1', memory: '1Gi' },
        max: { cpu: '4', memory: '8Gi' },
      },
    }));
    expect(findObject(objects, 'LimitRange', 'defaults', 'pay').spec.limits[0]).toEqual({
      type: 'Container',
      defaultRequest: { cpu: '250m', memory: '256Mi' },
      default: { cpu: '1', memory: '1Gi' },
      max: { cpu: '4', memory: '8Gi' },
    });
  });

  test('omits an empty default limit', () => {
    const objects = synthObjects(chart => new TenantLimitRange(chart, 'limits', { namespace: 'x', limits: { defaultLimit: {} } }));
    expect(findObject(objects, 'LimitRange', 'defaults').spec.limits[0]).not.toHaveProperty('default');
  });
});
