/**
 * Keys such as `__proto__`, `constructor` and `prototype` never change what an event means. JSON.parse makes
 * each of them an ordinary own property; an assignment (`out[key] = value`) made with `__proto__` would instead
 * give an object a prototype whose fields (`archived`, `sample`, …) the event never had — the bug of a
 * PascalCase finding read as archived or sample (issue 12).
 *
 * The events are the bundled real samples, as published and with their placeholder account ids made real
 * (so that the PascalCase findings reach normalization instead of stopping at the account check). A key is
 * injected the way it arrives — in the JSON text — into an object of the event, and the intake must give the
 * same result, byte for byte.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listEvents, loadEvent, loadEventWithAccount } from '../../../../test/support/events.ts';
import { intakeText } from '../../src/intake/intake.ts';
import type { IntakeResult } from '../../src/intake/result.ts';

const KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** What would change a finding's meaning if it were read through a prototype: every field the intake reads. */
const MEANINGFUL: Readonly<Record<string, unknown>> = {
  archived: true,
  Archived: true,
  sample: true,
  Sample: true,
  value: '{"sample":true}',
  Value: '{"sample":true}',
  severity: 10,
  Severity: 10,
  type: 'Backdoor:EC2/C&CActivity.B',
  resourceType: 'Instance',
  userType: 'Root',
  UserType: 'Root',
  connectionDirection: 'OUTBOUND',
  ConnectionDirection: 'OUTBOUND',
  accountId: '999999999999',
  AccountId: '999999999999',
  count: 99,
  complianceType: 'NON_COMPLIANT',
  alarmName: 'RootAccountUsage',
  state: { value: 'ALARM', timestamp: '2026-11-28T10:00:00.000+0000' },
};

type Json = unknown;

/** The bundled events, as published and with real account ids, each with its name. */
const EVENTS: ReadonlyArray<{ readonly name: string; readonly event: Json }> = listEvents().flatMap(
  (name) => [
    { name, event: loadEvent(name) as Json },
    { name: `${name} (12-digit account)`, event: loadEventWithAccount(name) as Json },
  ],
);

/** Paths (keys and indexes) to every object of a JSON value, the root included. */
function objectPaths(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((item, index) => objectPaths(item, [...path, index]));
  if (value === null || typeof value !== 'object') return [];
  return [path, ...Object.entries(value).flatMap(([key, inner]) => objectPaths(inner, [...path, key]))];
}

/** A deep copy (through JSON, as the event arrives) with `key: payload` added to the object at `path`. */
function injected(event: Json, path: ReadonlyArray<string | number>, key: string, payload: Json): string {
  const copy = JSON.parse(JSON.stringify(event)) as Json;
  let target = copy as Record<string | number, unknown>;
  for (const step of path) target = target[step] as Record<string | number, unknown>;
  // An own, enumerable property — what JSON.parse makes of `"__proto__": …` — so that stringify writes it.
  Object.defineProperty(target, key, {
    value: payload,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  const text = JSON.stringify(copy);
  expect(text).toContain(`"${key}":`);
  return text;
}

/** The result as text: equal results, equal bytes (an own `__proto__` would show here, a prototype would not hide). */
function same(result: IntakeResult, expected: IntakeResult, where: string): void {
  if (!expected.accepted) {
    // A rejection may quote the keys it saw; what it recognised must not change.
    expect(result.accepted, where).toBe(false);
    expect(result.recognised, where).toBe(expected.recognised);
    return;
  }
  expect(JSON.stringify(result), where).toBe(JSON.stringify(expected));
  expect(result, where).toEqual(expected);
}

describe('keys such as __proto__, constructor and prototype never change what an event means', () => {
  it('the bundled events with real accounts include accepted PascalCase findings (the case of issue 12)', () => {
    const pascal = EVENTS.filter(
      ({ name, event }) =>
        name.includes('eb-pascalcase') &&
        name.endsWith('(12-digit account)') &&
        intakeText(JSON.stringify((event as { detail: unknown }).detail)).accepted,
    );
    expect(pascal.length).toBeGreaterThanOrEqual(3);
  });

  it('in every object of every accepted bundled event, with every field the intake reads behind the key', () => {
    let checked = 0;
    for (const { name, event } of EVENTS) {
      // The whole event, and its finding alone (as the GuardDuty poller hands it over).
      const shapes: Array<[string, Json]> = [[name, event]];
      const detail = (event as { detail?: unknown }).detail;
      if (name.startsWith('guardduty/eb-') && detail !== undefined) shapes.push([`${name} detail`, detail]);
      for (const [label, shape] of shapes) {
        const expected = intakeText(JSON.stringify(shape));
        // Rejected shapes are left to the property below: only what they are recognised as could change.
        if (!expected.accepted) continue;
        for (const path of objectPaths(shape)) {
          for (const key of KEYS) {
            same(
              intakeText(injected(shape, path, key, MEANINGFUL)),
              expected,
              `${label} ${path.join('.')} ${key}`,
            );
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('whatever JSON value sits behind the key, wherever it is (fast-check)', () => {
    const cases = EVENTS.flatMap(({ name, event }) =>
      objectPaths(event).map((path) => ({ name, event, path })),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.constantFrom(...KEYS),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(MEANINGFUL)),
        ({ name, event, path }, key, payload) => {
          same(
            intakeText(injected(event, path, key, payload)),
            intakeText(JSON.stringify(event)),
            `${name} ${path.join('.')} ${key}`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
