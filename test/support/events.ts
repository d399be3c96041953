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
