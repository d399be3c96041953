import { describe, expect, it } from 'vitest';
import { configRuleRoute } from '../../src/playbooks/catalog.ts';
import { configRule } from '../../src/playbooks/config-rules.ts';
import { MANUAL_FIXES, manualFixOf, manualFixText } from '../../src/playbooks/manual-fixes.ts';

describe('manual fixes', () => {
  it.each(Object.keys(MANUAL_FIXES))(
    '%s is declared, routed to manual-fix, and each page is an AWS page',
    (rule) => {
      // Act
      const route = configRuleRoute(rule);
      const fix = manualFixOf(rule);

      // Assess
      expect(configRule(rule)?.identifier).toBe(rule);
      expect(route?.playbook).toBe('manual-fix');
      expect(fix?.steps.length).toBeGreaterThan(1);
      expect(fix?.links.every((link) => link.url.startsWith('https://docs.aws.amazon.com/'))).toBe(true);
    },
  );

  it('writes the steps for the resource the result names, numbered, with the pages', () => {
    // Act
    const text = manualFixText('S3_BUCKET_LOGGING_ENABLED', 'amzn-s3-demo-bucket');

    // Assess
    expect(text).toMatch(/^What to do \(Cordon changes nothing: /);
    expect(text).toContain(
      "1. Choose (or create) a destination bucket for amzn-s3-demo-bucket's access logs",
    );
    expect(text).toContain('3. Turn on server access logging of amzn-s3-demo-bucket');
    expect(text).not.toContain('{resource}');
    expect(text).toContain(
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html',
    );
  });

  it('has nothing to say for a rule it does not know, or an inherited property name', () => {
    // Act + Assess
    expect(manualFixText('INCOMING_SSH_DISABLED', 'sg-0123456789abcdef0')).toBeUndefined();
    expect(manualFixOf('constructor')).toBeUndefined();
  });
});
