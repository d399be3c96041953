/**
 * The compliance controls a detection or a remediation serves, as data: what auditors check (a Security Hub
 * control id such as `EC2.13`, a CIS AWS Foundations recommendation, a PCI DSS requirement, a NIST SP 800-53
 * control), each mapping taken from AWS's own documents and cited with the document it came from. A mapping
 * that could not be verified from a primary source is left out, not guessed (docs/controls.md says which).
 *
 * Pure data: no AWS SDK, no action code.
 */

/** The frameworks a control reference may name. */
export const CONTROL_FRAMEWORKS = {
  'security-hub': 'AWS Security Hub control',
  'cis-aws-foundations': 'CIS AWS Foundations Benchmark',
  'pci-dss': 'PCI DSS',
  'nist-800-53': 'NIST SP 800-53 Rev. 5',
  'soc-2': 'SOC 2 (AICPA Trust Services Criteria)',
  hipaa: 'HIPAA Security Rule (45 CFR 164)',
} as const;
export type ControlFramework = keyof typeof CONTROL_FRAMEWORKS;

/** One control of one framework (and version, where the framework has versions). */
export interface ControlRef {
  readonly framework: ControlFramework;
  /** `1.2.0` for CIS, `3.2.1` for PCI DSS; absent for Security Hub's own control ids and NIST Rev. 5. */
  readonly version?: string;
  /** The control's id in the framework: `EC2.13`, `4.1`, `1.2.1`, `AC-4(21)`. */
  readonly id: string;
}

/**
 * Where a mapping comes from: the document that states it, as a URL a reader can open, and, when the page is
 * kept in an archived repository, where (so that the exact text read can be found again).
 */
export interface ControlSource {
  readonly url: string;
  readonly archived?: string;
}

/** The controls a detection or a remediation serves, with the document that relates them. */
export interface ControlMapping {
  readonly controls: readonly ControlRef[];
  readonly source: ControlSource;
}

const FRAMEWORK_PREFIX: Readonly<Record<ControlFramework, string>> = {
  'security-hub': 'SecurityHub',
  'cis-aws-foundations': 'CIS',
  'pci-dss': 'PCI-DSS',
  'nist-800-53': 'NIST-800-53-r5',
  'soc-2': 'SOC2',
  hipaa: 'HIPAA',
};

/**
 * A control's id as the ledger and the docs write it: the framework, its version, the control.
 *
 * @example controlId({ framework: 'cis-aws-foundations', version: '1.2.0', id: '4.1' }) // 'CIS-1.2.0/4.1'
 * @example controlId({ framework: 'security-hub', id: 'EC2.13' }) // 'SecurityHub/EC2.13'
 */
export function controlId(control: ControlRef): string {
  const prefix = FRAMEWORK_PREFIX[control.framework];
  return `${prefix}${control.version === undefined ? '' : `-${control.version}`}/${control.id}`;
}

/**
 * The ids of a mapping's controls, in the order declared, each once.
 *
 * @example controlIds({ controls: [{ framework: 'security-hub', id: 'EC2.2' }], source }) // ['SecurityHub/EC2.2']
 */
export function controlIds(mapping: Pick<ControlMapping, 'controls'>): string[] {
  return [...new Set(mapping.controls.map(controlId))];
}

/** Shorthands for declaring mappings that read as the documents print them (`CIS v1.2.0/4.1`). */
export const control = {
  securityHub: (id: string): ControlRef => ({ framework: 'security-hub', id }),
  cis: (version: string, id: string): ControlRef => ({ framework: 'cis-aws-foundations', version, id }),
  pciDss: (version: string, id: string): ControlRef => ({ framework: 'pci-dss', version, id }),
  nist: (id: string): ControlRef => ({ framework: 'nist-800-53', id }),
} as const;

/**
 * Security Hub's control reference, the primary source of the mappings below: each control page states the
 * AWS Config rule behind the control, its severity and its "Related requirements" (CIS, PCI DSS, NIST). The
 * text Cordon's mappings were read from is the page as archived in awsdocs/aws-security-hub-user-guide
 * (commit 47bfe2f1de2e486914543113d2e751f3e2ed8868, June 2023), which names CIS v1.2.0/v1.4.0 and PCI DSS
 * v3.2.1: the versions that page relates; later versions are not inferred from it.
 */
export const SECURITY_HUB_CONTROLS = {
  ec2: {
    url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html',
    archived:
      'awsdocs/aws-security-hub-user-guide@47bfe2f1de2e486914543113d2e751f3e2ed8868:doc_source/ec2-controls.md',
  },
  iam: {
    url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html',
    archived:
      'awsdocs/aws-security-hub-user-guide@47bfe2f1de2e486914543113d2e751f3e2ed8868:doc_source/iam-controls.md',
  },
  // The S3 page as archived at a commit of the same era (it too relates CIS v1.4.0 and PCI DSS v3.2.1).
  s3: {
    url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html',
    archived:
      'awsdocs/aws-security-hub-user-guide@bda5bf7ddbdf498557b2ac6a538577528004e6d5:doc_source/s3-controls.md',
  },
  /** The EC2 page as read for the EBS controls (EC2.1, EC2.7), a later archived version than `ec2`'s. */
  ec2Ebs: {
    url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html',
    archived:
      'awsdocs/aws-security-hub-user-guide@44505b14b699b1c32eca3fca2fec025458456f2b:doc_source/ec2-controls.md',
  },
  cloudtrail: {
    url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html',
    archived:
      'awsdocs/aws-security-hub-user-guide@bda5bf7ddbdf498557b2ac6a538577528004e6d5:doc_source/cloudtrail-controls.md',
  },
  // --- RDS ---
  rds: {
    url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html',
    archived:
      'awsdocs/aws-security-hub-user-guide@bda5bf7ddbdf498557b2ac6a538577528004e6d5:doc_source/rds-controls.md',
  },
  // --- end RDS ---
} as const satisfies Readonly<Record<string, ControlSource>>;

/**
 * The frameworks the issue asks about whose mapping to a rule Cordon could not verify from a primary source
 * (so none is declared): docs/controls.md lists them as not verified rather than leaving a reader to assume.
 */
export const UNVERIFIED_FRAMEWORKS: readonly string[] = [
  'CIS AWS Foundations Benchmark v3.0.0',
  'PCI DSS v4.0',
  'SOC 2 (CC6, CC7)',
  'HIPAA (164.312)',
];
