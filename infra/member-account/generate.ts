/**
 * Writes the member-account templates (from the repo root: `npm run infra:member-template`):
 * - infra/member-account/responder-role.yaml: the global IAM roles, deployed in one region (template.ts);
 * - infra/member-account/forwarding.yaml: the forwarding rules, deployed in every region (forwarding.ts).
 */
import { writeFileSync } from 'node:fs';
import { FORWARDING_TEMPLATE_PATH, forwardingYaml } from './forwarding.ts';
import { responderRoleYaml, TEMPLATE_PATH } from './template.ts';

for (const [path, yaml] of [
  [TEMPLATE_PATH, responderRoleYaml()],
  [FORWARDING_TEMPLATE_PATH, forwardingYaml()],
] as const) {
  writeFileSync(path, yaml);
  console.log(`wrote ${path}`);
}
