/**
 * Writes docs/settings.md from the settings schema: `npm run docs:settings`.
 * The test in packages/core/test/policy/settings-doc.test.ts fails when the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSettingsDoc } from '../src/policy/settings-doc.ts';

const target = fileURLToPath(new URL('../../../docs/settings.md', import.meta.url));
writeFileSync(target, renderSettingsDoc());
console.log(`wrote ${target}`);
