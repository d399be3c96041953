import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The offline SST platform (`.sst/platform`, from `npm run sst:install`) is not installed. */
export class SstPlatformMissingError extends Error {
  public constructor(path: string) {
    super(
      `The infra tests import Pulumi and SST from ${path}, which is missing: run \`npm run sst:install\` once, then \`npm run test:infra\`.`,
    );
    this.name = 'SstPlatformMissingError';
  }
}

// The first thing infra/test/harness.ts imports from the platform.
const PULUMI = fileURLToPath(new URL('./.sst/platform/node_modules/@pulumi/pulumi', import.meta.url));

/** vitest globalSetup of the infra project: stop before any test file, with the fix, when SST is not installed. */
export default function setup(): void {
  if (!existsSync(PULUMI)) throw new SstPlatformMissingError(PULUMI);
}
