import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLAYBOOK_DOCS_DIR, renderPlaybookDocs } from '../../scripts/generate-playbook-docs.ts';
import {
  buildPlaybook,
  LOCAL_BUILD_OPTIONS,
  PLAYBOOK_IDS,
  PLAYBOOKS,
  toMermaid,
} from '../../src/playbooks/index.ts';

describe('the playbook docs', () => {
  it.each(Object.entries(renderPlaybookDocs()))(
    'docs/playbooks/%s matches the generator, so it cannot drift (run the generator script to refresh it)',
    (name, expected) => {
      // Act
      const committed = readFileSync(`${PLAYBOOK_DOCS_DIR}${name}`, 'utf8');

      // Assess
      expect(committed).toBe(expected);
    },
  );

  it.each(PLAYBOOK_IDS)('the %s page embeds the diagram generated from its ASL', (id) => {
    // Act
    const page = renderPlaybookDocs()[`${id}.md`];

    // Assess
    expect(page).toContain(`\`\`\`mermaid\n${toMermaid(buildPlaybook(id, LOCAL_BUILD_OPTIONS))}\`\`\``);
    expect(page).toContain('## Trigger');
    expect(page).toContain('## Replay it locally');
  });

  it.each(PLAYBOOK_IDS.filter((id) => typeof PLAYBOOKS[id].routes.configRules === 'object'))(
    'the %s page gives, for each Config rule it knows, its default approval and why',
    (id) => {
      // Act
      const page = renderPlaybookDocs()[`${id}.md`];

      // Assess
      const rules = PLAYBOOKS[id].routes.configRules;
      for (const [rule, route] of Object.entries(typeof rules === 'object' ? rules : {})) {
        expect(page).toContain(`\`${rule}\` (approval \`${route.approval}\`: ${route.approvalBecause}`);
      }
    },
  );

  it('documents the execution input contract in the README', () => {
    // Act
    const readme = renderPlaybookDocs()['README.md'];

    // Assess
    for (const field of ['"incident"', '"decision"', '"target"', '"run"', '"approval"', 'timeoutDefault']) {
      expect(readme).toContain(field);
    }
  });
});
