/**
 * Every CloudFormation template Cordon ships passes cfn-lint (aws-cloudformation/cfn-lint: the resource
 * specifications, property types, intrinsic functions and best-practice rules). cfn-lint is a Python tool:
 * these machines have it preinstalled, a fresh CI machine may not (it is not on the npm registry under that
 * name, nor a Debian 12 package): then the test is skipped and says so, and .ci/run prints the same.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const TEMPLATE_DIR = 'infra/member-account';

function cfnLintVersion(): string | undefined {
  const result = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

const version = cfnLintVersion();
const templates = readdirSync(TEMPLATE_DIR)
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => `${TEMPLATE_DIR}/${file}`)
  .sort();

describe('the CloudFormation templates', () => {
  it('include the member-account templates: the global roles and the regional forwarding', () => {
    expect(templates).toEqual(
      expect.arrayContaining([`${TEMPLATE_DIR}/forwarding.yaml`, `${TEMPLATE_DIR}/responder-role.yaml`]),
    );
  });

  it.skipIf(version === undefined)(`pass cfn-lint (${version ?? 'not installed: skipped'})`, () => {
    // cfn-lint exits non-zero on any error or warning and prints each one; execFileSync throws with that output.
    const output = execFileSync('cfn-lint', ['--format', 'parseable', '--', ...templates], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

    expect(output.trim()).toBe('');
  });

  it.skipIf(version === undefined)(
    'would fail a template CloudFormation refuses (the check can fail)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'cordon-cfn-lint-'));
      const broken = join(dir, 'broken.yaml');
      // An SQS queue with a property that does not exist, and a Ref to nothing.
      writeFileSync(
        broken,
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Queue:\n    Type: "AWS::SQS::Queue"\n    Properties:\n      RetentionDays: 14\n      QueueName:\n        Ref: "Nowhere"\n',
      );
      try {
        const result = spawnSync('cfn-lint', ['--format', 'parseable', '--', broken], { encoding: 'utf8' });

        expect(result.status).not.toBe(0);
        expect(result.stdout).toMatch(/RetentionDays/);
        expect(result.stdout).toMatch(/Nowhere/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
