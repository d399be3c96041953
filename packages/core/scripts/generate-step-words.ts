import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderStepWordsModule } from '../src/approval/step-words-source.ts';

const target = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'approval',
  'step-words.generated.ts',
);
writeFileSync(target, renderStepWordsModule());
// The repository's formatter decides the layout; the test compares the words, not the text.
execFileSync('npx', ['biome', 'format', '--write', target], { stdio: 'inherit' });
console.log(`wrote ${target}`);
