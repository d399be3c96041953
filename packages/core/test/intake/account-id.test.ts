import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountIdProblem, isAccountId } from '../../src/intake/account-id.ts';

describe('account ids (exactly 12 digits)', () => {
  it('accepts any 12 digits, leading zeros included', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), (id) => {
        expect(isAccountId(id)).toBe(true);
        expect(accountIdProblem('accountId', id)).toBeUndefined();
      }),
    );
    expect(isAccountId('000000000000')).toBe(true);
  });

  it.each([
    ['1234567891234', '13 digits'],
    ['12345678901', '11 digits'],
    ['12345678901a', 'a letter'],
    ['123456789012\n', 'a line break'],
    ['１２３４５６７８９０１２', 'full-width digits'],
    ['', 'nothing'],
  ])('refuses %j (%s), naming the field and the value', (id) => {
    expect(isAccountId(id)).toBe(false);
    expect(accountIdProblem('detail.accountId', id)).toBe(
      `detail.accountId ${JSON.stringify(id)} is not an AWS account id: account ids are exactly 12 digits`,
    );
  });

  it.each([
    [123456789012, '(a number)'],
    [null, '(a null)'],
    [undefined, 'is missing and'],
  ])('refuses %j, saying what it was', (value, shown) => {
    expect(isAccountId(value)).toBe(false);
    expect(accountIdProblem('account', value)).toBe(
      `account ${shown} is not an AWS account id: account ids are exactly 12 digits`,
    );
  });

  it('quotes at most 40 characters of what it refuses', () => {
    const problem = accountIdProblem('account', '9'.repeat(500));
    expect(problem).toContain(`"${'9'.repeat(40)}…"`);
    expect(problem?.length).toBeLessThan(120);
  });

  it('quotes a value of exactly 40 characters whole, and one of 41 cut after 40', () => {
    expect(accountIdProblem('account', 'x'.repeat(40))).toBe(
      `account "${'x'.repeat(40)}" is not an AWS account id: account ids are exactly 12 digits`,
    );
    expect(accountIdProblem('account', 'x'.repeat(41))).toBe(
      `account "${'x'.repeat(40)}…" is not an AWS account id: account ids are exactly 12 digits`,
    );
  });
});
