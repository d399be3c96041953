import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderControlsDoc } from '../src/playbooks/controls-doc.ts';

/** Where the page lives: docs/controls.md (the test in packages/core/test/playbooks/controls-doc.test.ts reads it). */
export const CONTROLS_DOC = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'docs',
  'controls.md',
);

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(CONTROLS_DOC, renderControlsDoc());
  console.log(`wrote ${CONTROLS_DOC}`);
}
