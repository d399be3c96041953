import type { StepId } from './ids.ts';

/**
 * State names of the playbooks. They read as sentences or questions, because they are what a responder sees
 * in the Step Functions console, in the diagrams and in `cordon replay`; plans, settings and the ledger use
 * step ids, and `stepOfState` maps one to the other. A name is the same in every playbook that has the
 * state, and unique within a state machine (ASL requires it, Parallel branches included).
 */
export const STATE_NAMES = {
  startRecord: 'Start with nothing changed',
  approvalRequired: 'Approval required?',
  setApprovalDeadline: 'Set the approval deadline',
  askForApproval: 'Ask for approval',
  tellRejected: 'Tell the responders it was rejected',
  rejected: 'Rejected: nothing was changed',
  escalate: 'Escalate: no decision in time',
  approveByDefault: 'Approve when no one decides?',
  approvedByDefault: 'Approved by default',
  notApprovedInTime: 'Not approved in time: nothing was changed',
  containInstance: 'Contain it: protect evidence, enter Standby, isolate',
  afterContainment: 'Deregister, snapshot and quarantine its profile',
  deregisterFromLoadBalancers: 'Take it out of its load balancers',
  snapshotVolumes: 'Snapshot its volumes',
  quarantineInstanceProfile: 'Quarantine its instance profile',
  collectAfterContainment: 'Collect what deregistration, snapshots and quarantine did',
  deactivateAccessKeyChoice: 'Deactivate the access key?',
  deactivateAccessKey: 'Deactivate the access key',
  revokeSessionsChoice: 'Deny its earlier sessions?',
  revokeSessions: 'Deny sessions issued before now',
  disableConsoleAccessChoice: 'Disable console access?',
  disableConsoleAccess: 'Disable console access',
  deactivateStaleKeys: 'Deactivate the stale access keys',
  releaseInstance: 'Release the instance',
  revokeOpenIngress: 'Revoke the rules open to the world',
  closeDefaultSecurityGroup: 'Remove every rule of the default security group',
  releaseRemediation: 'Put back what the remediation removed',
  releaseCredentials: "Remove this incident's session deny",
  // --- S3 ---
  blockAccountPublicAccess: "Turn on the account's S3 Block Public Access",
  blockBucketPublicAccess: "Turn on the bucket's S3 Block Public Access",
  requireSecureTransport: 'Deny requests not sent over TLS',
  enableDefaultEncryption: 'Turn on default encryption (SSE-S3)',
  // --- end S3 ---
  startTrailLogging: 'Start the stopped trails again',
  enableLogFileValidation: 'Turn on log file validation',
  enableEbsDefaultEncryption: 'Turn on EBS encryption by default',
  makeSnapshotsPrivate: 'Make the public snapshots private',
  // --- identity posture ---
  enforcePasswordPolicy: 'Set the account password policy',
  enableKeyRotation: 'Turn on automatic key rotation',
  tellWhatToDo: 'Tell the responders what to do',
  // --- end identity posture ---
  // --- RDS ---
  makeDbInstancePrivate: 'Make the DB instance private',
  makeDbSnapshotPrivate: 'Make the DB snapshot private',
  // --- end RDS ---
  tellRemediated: 'Tell the responders it is remediated',
  tellContained: 'Tell the responders it is contained',
  tellKeysDeactivated: 'Tell the responders the keys are deactivated',
  tellDecided: 'Tell the responders what was decided',
  tellReleased: 'Tell the responders it is released',
  reportFailedStep: 'Report the failed step',
  stopped: 'Stopped: a step failed',
} as const;
export type StateName = (typeof STATE_NAMES)[keyof typeof STATE_NAMES];

/** The Task states with a fixed name, and the step each one runs. */
const STEP_OF_TASK_STATE: Readonly<Record<string, StepId>> = {
  [STATE_NAMES.askForApproval]: 'request-approval',
  [STATE_NAMES.containInstance]: 'contain-instance',
  [STATE_NAMES.deregisterFromLoadBalancers]: 'deregister-from-load-balancers',
  [STATE_NAMES.snapshotVolumes]: 'snapshot-volumes',
  [STATE_NAMES.quarantineInstanceProfile]: 'quarantine-instance-profile',
  [STATE_NAMES.deactivateAccessKey]: 'deactivate-access-key',
  [STATE_NAMES.deactivateStaleKeys]: 'deactivate-access-key',
  [STATE_NAMES.revokeSessions]: 'revoke-sessions',
  [STATE_NAMES.disableConsoleAccess]: 'disable-console-access',
  [STATE_NAMES.releaseInstance]: 'release-instance',
  [STATE_NAMES.revokeOpenIngress]: 'revoke-open-ingress',
  [STATE_NAMES.closeDefaultSecurityGroup]: 'close-default-security-group',
  [STATE_NAMES.releaseRemediation]: 'release-remediation',
  [STATE_NAMES.releaseCredentials]: 'release-credentials',
  // --- S3 ---
  [STATE_NAMES.blockAccountPublicAccess]: 'block-account-public-access',
  [STATE_NAMES.blockBucketPublicAccess]: 'block-bucket-public-access',
  [STATE_NAMES.requireSecureTransport]: 'require-secure-transport',
  [STATE_NAMES.enableDefaultEncryption]: 'enable-default-encryption',
  // --- end S3 ---
  [STATE_NAMES.startTrailLogging]: 'start-trail-logging',
  [STATE_NAMES.enableLogFileValidation]: 'enable-log-file-validation',
  [STATE_NAMES.enableEbsDefaultEncryption]: 'enable-ebs-default-encryption',
  [STATE_NAMES.makeSnapshotsPrivate]: 'make-snapshots-private',
  // --- identity posture ---
  [STATE_NAMES.enforcePasswordPolicy]: 'enforce-password-policy',
  [STATE_NAMES.enableKeyRotation]: 'enable-key-rotation',
  [STATE_NAMES.tellWhatToDo]: 'notify',
  // --- end identity posture ---
  // --- RDS ---
  [STATE_NAMES.makeDbInstancePrivate]: 'make-db-instance-private',
  [STATE_NAMES.makeDbSnapshotPrivate]: 'make-db-snapshot-private',
  // --- end RDS ---
  [STATE_NAMES.tellRemediated]: 'notify',
  [STATE_NAMES.tellRejected]: 'notify',
  [STATE_NAMES.escalate]: 'notify',
  [STATE_NAMES.tellContained]: 'notify',
  [STATE_NAMES.tellKeysDeactivated]: 'notify',
  [STATE_NAMES.tellDecided]: 'notify',
  [STATE_NAMES.tellReleased]: 'notify',
  [STATE_NAMES.reportFailedStep]: 'notify',
};

const FAILED_PREFIX = 'Failed: ';
const REPORT_PREFIX = 'Report the failure: ';
const STOPPED_PREFIX = 'Stopped: ';

/**
 * The Pass state that records which step failed, after the named state's `Catch`.
 *
 * @example failedStateName('Snapshot its volumes') // 'Failed: Snapshot its volumes'
 */
export function failedStateName(stateName: string): string {
  return `${FAILED_PREFIX}${stateName}`;
}

/**
 * Inside a Parallel branch, the Task that reports the failure of the named state (the branch cannot reach
 * the top level's report, and the Parallel's own `Catch` would only see `PlaybookStepFailed`).
 *
 * @example reportStateName('Snapshot its volumes') // 'Report the failure: Snapshot its volumes'
 */
export function reportStateName(stateName: string): string {
  return `${REPORT_PREFIX}${stateName}`;
}

/**
 * Inside a Parallel branch, the Fail state that ends the branch after the named state failed.
 *
 * @example stoppedStateName('Snapshot its volumes') // 'Stopped: Snapshot its volumes failed'
 */
export function stoppedStateName(stateName: string): string {
  return `${STOPPED_PREFIX}${stateName} failed`;
}

/**
 * The step a Task state runs, by the state's name; `undefined` for states that run no step (Choice, Pass,
 * Parallel, Succeed, Fail). Failure reports are `notify` steps.
 *
 * @example
 * stepOfState('Snapshot its volumes') // 'snapshot-volumes'
 * stepOfState('Approval required?')        // undefined
 */
export function stepOfState(stateName: string): StepId | undefined {
  if (stateName.startsWith(REPORT_PREFIX)) return 'notify';
  return STEP_OF_TASK_STATE[stateName];
}

/** The names of the Task states that run a step, by step (several states may run the same step). */
export function statesOfStep(step: StepId): string[] {
  return Object.entries(STEP_OF_TASK_STATE)
    .filter(([, id]) => id === step)
    .map(([name]) => name);
}
