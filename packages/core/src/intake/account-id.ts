/**
 * AWS account ids, as intake reads them. An account id is "a 12-digit number, such as 012345678901, that
 * uniquely identifies an AWS account" (AWS Account Management Reference Guide, "View AWS account identifiers",
 * https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html). Intake checks every
 * account id it reads (a finding's `accountId`, an envelope's `account`, a Config result's `awsAccountId`)
 * before the id can name an incident: the incident id names a Step Functions execution and a ledger
 * partition, and actions assume a role in that account. A 13-digit placeholder (`1234567891234`, as some
 * published samples carry) is refused with the field and the value, never accepted.
 */

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Whether a value is an AWS account id: a string of exactly 12 digits (leading zeros included).
 *
 * @example isAccountId('012345678901') // true
 * @example isAccountId('1234567891234') // false (13 digits)
 */
export function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_ID.test(value);
}

/**
 * Why `value`, read from `field`, is not an account id — or `undefined` when it is one. The value is quoted
 * (at most 40 characters of it) so that a responder sees what the event held.
 *
 * @example accountIdProblem('detail.accountId', '1234567891234')
 * // 'detail.accountId "1234567891234" is not an AWS account id: account ids are exactly 12 digits'
 */
export function accountIdProblem(field: string, value: unknown): string | undefined {
  if (isAccountId(value)) return undefined;
  const shown =
    typeof value === 'string'
      ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
      : value === undefined
        ? 'is missing and'
        : `(a ${value === null ? 'null' : typeof value})`;
  return `${field} ${shown} is not an AWS account id: account ids are exactly 12 digits`;
}
