/** Writes infra/member-account/responder-role.yaml: `npx tsx infra/member-account/generate.ts` (from the repo root). */
import { writeFileSync } from 'node:fs';
import { responderRoleYaml, TEMPLATE_PATH } from './template.ts';

writeFileSync(TEMPLATE_PATH, responderRoleYaml());
console.log(`wrote ${TEMPLATE_PATH}`);
