import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real events of ../shared/events, bundled verbatim in packages/cli/events (a fresh clone has no
 * ../shared). Tests read them through here; every call returns a fresh parse, so a test may change its copy.
 */
export const EVENTS_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'packages',
  'cli',
  'events',
);

export function eventPath(name: string): string {
  return join(EVENTS_DIR, name);
}

export function loadEventText(name: string): string {
  return readFileSync(eventPath(name), 'utf8');
}

export function loadEvent<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(loadEventText(name)) as T;
}

/** Every bundled event file, as paths relative to EVENTS_DIR (`guardduty/raw-….json`), sorted. */
export function listEvents(): string[] {
  return readdirSync(EVENTS_DIR, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json'))
    .map((name) => relative(EVENTS_DIR, join(EVENTS_DIR, name)))
    .sort();
}

const FIXTURES_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'packages',
  'core',
  'test',
  'fixtures',
);

/** Hand-built fixtures (packages/core/test/fixtures/README.md says which and why). */
export function loadFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name), 'utf8')) as T;
}

const ACCOUNT_FIELDS: ReadonlySet<string> = new Set(['account', 'accountId', 'AccountId', 'awsAccountId']);

/**
 * A bundled sample with its placeholder account ids made real. The GuardDuty-SOAR samples carry the 13-digit
 * placeholder `1234567891234`, which intake rejects (account ids are exactly 12 digits); a test that needs
 * such a sample accepted — to show PascalCase normalization, four ENIs, a root finding — takes it through here,
 * and the test says so. Only fields named `account`, `accountId`, `AccountId` or `awsAccountId` whose value
 * is not 12 digits change; nothing else of the sample does.
 */
export function loadEventWithAccount<T = Record<string, unknown>>(name: string, account = '123456789012'): T {
  return withAccount(loadEvent(name), account) as T;
}

function withAccount(value: unknown, account: string): unknown {
  if (Array.isArray(value)) return value.map((item) => withAccount(item, account));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      ACCOUNT_FIELDS.has(key) && typeof inner === 'string' && !/^\d{12}$/.test(inner)
        ? account
        : withAccount(inner, account),
    ]),
  );
}
