// npm run docs:mutation — regenerate mutation/summary.json and docs/mutation.md from the committed report.

import { regenerate } from './generate.ts';
import { at, PATHS } from './paths.ts';

const summary = regenerate();
console.log(`wrote ${at(PATHS.summary)} and ${at(PATHS.doc)} (${Object.keys(summary.files).length} files)`);
