/**
 * The GuardDuty ListFindings request the poller sends: findings updated since the cursor, at or above the
 * severity floor, not archived, oldest update first (so that a run cut short resumes where it stopped).
 * Structurally the SDK's `FindingCriteria`/`SortCriteria`; core does not depend on the GuardDuty client.
 */

/** One condition of a GuardDuty finding criterion (the subset Cordon uses). */
export interface FindingCondition {
  readonly GreaterThanOrEqual?: number;
  readonly Equals?: string[];
}

export interface FindingCriteria {
  readonly Criterion: Record<string, FindingCondition>;
}

export interface FindingSortCriteria {
  readonly AttributeName: 'updatedAt';
  readonly OrderBy: 'ASC';
}

/** GetFindings takes at most 50 ids; ListFindings returns at most 50 per page. */
export const GUARDDUTY_PAGE_SIZE = 50;

export const FINDING_SORT: FindingSortCriteria = { AttributeName: 'updatedAt', OrderBy: 'ASC' };

export interface FindingCriteriaOptions {
  /** Findings updated at or after this instant (epoch milliseconds, GuardDuty's unit for `updatedAt`). */
  readonly updatedSince: number;
  /** GuardDuty severity floor (0–10): `settings.severity.ignoreBelow`, the same floor as the EventBridge rule. */
  readonly minSeverity: number;
}

/**
 * @example
 * findingCriteria({ updatedSince: Date.parse('2026-01-01T00:00:00Z'), minSeverity: 4 })
 * // { Criterion: { updatedAt: { GreaterThanOrEqual: 1767225600000 }, severity: { GreaterThanOrEqual: 4 },
 * //   'service.archived': { Equals: ['false'] } } }
 */
export function findingCriteria(options: FindingCriteriaOptions): FindingCriteria {
  return {
    Criterion: {
      updatedAt: { GreaterThanOrEqual: Math.max(0, Math.floor(options.updatedSince)) },
      // GuardDuty's criterion takes whole numbers; flooring keeps a 4.5 floor from dropping 4.5–4.9 findings
      // (triage applies the exact floor again).
      severity: { GreaterThanOrEqual: Math.max(0, Math.floor(options.minSeverity)) },
      // Archived findings (suppression rules, or archived by the team) are not incidents.
      'service.archived': { Equals: ['false'] },
    },
  };
}
