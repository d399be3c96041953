import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OPERATIONS_DOC, renderOperationsDoc } from '../scripts/operations-doc.ts';

describe('docs/operations.md', () => {
  it('shows what the commands print today (npm run docs:operations rewrites it)', async () => {
    const text = await readFile(OPERATIONS_DOC, 'utf8');

    const rendered = await renderOperationsDoc(text);

    expect(text.split('\n'), 'docs/operations.md drifted: run npm run docs:operations').toEqual(
      rendered.split('\n'),
    );
  });

  it('holds real output: every generated block was filled in', async () => {
    const text = await readFile(OPERATIONS_DOC, 'utf8');

    expect(text).not.toMatch(/-->\n```(text|json)\n```/);
    expect(text.match(/^\$ cordon /gm)?.length).toBeGreaterThanOrEqual(9);
  });
});
