import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTROLS_DOC } from '../../scripts/generate-controls-doc.ts';
import { CONFIG_RULE_IDS, CONFIG_RULES } from '../../src/playbooks/config-rules.ts';
import { controlId, controlIds } from '../../src/playbooks/controls.ts';
import { renderControlsDoc } from '../../src/playbooks/controls-doc.ts';

describe('docs/controls.md', () => {
  it('matches the generator, so it cannot drift (run npm run docs:controls to refresh it)', () => {
    expect(readFileSync(CONTROLS_DOC, 'utf8')).toBe(renderControlsDoc());
  });

  it('names every control of every declared rule, with what checks it and what fixes it', () => {
    // Act
    const page = renderControlsDoc();

    // Assess
    for (const identifier of CONFIG_RULE_IDS) {
      for (const id of CONFIG_RULES[identifier].mappings.flatMap(controlIds))
        expect(page).toContain(`\`${id}\``);
    }
    expect(page).toMatch(
      /\| `SecurityHub\/EC2\.13` \| Config rule `INCOMING_SSH_DISABLED` \(restricted-ssh\) \| \[`security-group-ingress`\]\(playbooks\/security-group-ingress\.md\) \(`revoke-open-ingress`\) \|/,
    );
    expect(page).toMatch(
      /\| `SecurityHub\/CloudWatch\.1` \| CloudWatch alarm `RootAccountUsage` \| notified only \|/,
    );
    expect(page).toContain('Not verified, so not declared:');
  });
});

describe('control ids', () => {
  it('read as the framework, its version and the control', () => {
    expect(controlId({ framework: 'cis-aws-foundations', version: '1.4.0', id: '5.3' })).toBe(
      'CIS-1.4.0/5.3',
    );
    expect(controlId({ framework: 'nist-800-53', id: 'SC-7(4)' })).toBe('NIST-800-53-r5/SC-7(4)');
    expect(
      controlIds({
        controls: [
          { framework: 'security-hub', id: 'EC2.2' },
          { framework: 'security-hub', id: 'EC2.2' },
        ],
      }),
    ).toEqual(['SecurityHub/EC2.2']);
  });
});
