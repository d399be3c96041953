import { describe, expect, it } from 'vitest';
import { FINDING_SORT, findingCriteria } from '../../src/poller/criteria.ts';

describe('findingCriteria', () => {
  it('asks for unarchived findings updated since the window start, at or above the floor', () => {
    const criteria = findingCriteria({ updatedSince: Date.parse('2026-01-01T00:00:00Z'), minSeverity: 4 });

    expect(criteria).toEqual({
      Criterion: {
        updatedAt: { GreaterThanOrEqual: 1_767_225_600_000 },
        severity: { GreaterThanOrEqual: 4 },
        'service.archived': { Equals: ['false'] },
      },
    });
  });

  it('floors a fractional severity so that no finding at the floor is missed', () => {
    expect(findingCriteria({ updatedSince: 0, minSeverity: 4.5 }).Criterion.severity).toEqual({
      GreaterThanOrEqual: 4,
    });
  });

  it('sorts oldest update first', () => {
    expect(FINDING_SORT).toEqual({ AttributeName: 'updatedAt', OrderBy: 'ASC' });
  });
});
