import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderActionsDoc } from '../src/actions/actions-doc.ts';

const target = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'actions.md');
writeFileSync(target, renderActionsDoc());
console.log(`wrote ${target}`);
