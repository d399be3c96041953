import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS_PARAMETERS } from '../../src/policy/settings.ts';
import { renderSettingsDoc } from '../../src/policy/settings-doc.ts';

const DOC = new URL('../../../../docs/settings.md', import.meta.url);

describe('renderSettingsDoc', () => {
  it('matches docs/settings.md, so the reference cannot drift (run `npm run docs:settings` to refresh it)', () => {
    // Act
    const committed = readFileSync(DOC, 'utf8');

    // Assess
    expect(committed).toBe(renderSettingsDoc());
  });

  it('lists every SSM parameter with its full name, type and description', () => {
    // Act
    const doc = renderSettingsDoc();

    // Assess
    for (const parameter of SETTINGS_PARAMETERS) {
      const row = doc
        .split('\n')
        .find((line) => line.startsWith(`| \`/cordon/<stage>/settings/${parameter.name}\` |`));
      expect(row, parameter.name).toBeDefined();
      expect(row).toContain(` | ${parameter.type} | `);
      expect(row).toContain(parameter.description.replaceAll('|', '\\|'));
    }
  });

  it('explains the path, the cache, failing closed and the local file before the table', () => {
    // Act
    const intro = renderSettingsDoc().split('## Parameters')[0] ?? '';

    // Assess
    expect(intro).toContain('/cordon/<stage>/settings/');
    expect(intro).toContain('Cached for 60 seconds');
    expect(intro).toContain('`notify-only` mode');
    expect(intro).toContain('Local settings file');
  });
});
