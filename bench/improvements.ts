/**
 * What changed while benchmarking, with the figures measured before the change (this bench, same machine,
 * same seeds, against the code at commit a442fc9). The "after" figures are the sections above: they are
 * measured on every run. Kept as text because the "before" code no longer exists to be measured.
 */
export const IMPROVEMENTS = `### 1. isolate-instance reads the instance and the isolation groups in one round trip

\`packages/core/src/actions/isolate-instance.ts\`: DescribeSecurityGroups (by the two isolation group names)
is sent together with DescribeInstances instead of after it. The ENIs' VPCs are not known when it is sent, so
the groups are filtered by VPC afterwards; an untagged same-named group in a VPC the instance is not in is
now ignored rather than refused (one in the instance's VPCs is still refused). IAM is unchanged.

| | Before | After |
| --- | --- | --- |
| isolate-instance alone (sandbox test), groups existing / created | 4 / 6 round trips | 3 / 5 |
| Containment path, 1, 3 or 8 ENIs, groups existing / first incident in the VPC | 17 / 19 round trips | see section 1 (one fewer) |

Tests: \`isolate-instance.test.ts\` (the DescribeSecurityGroups filter, and both reads in flight together;
a new case for groups of other VPCs) and \`isolate-instance.sandbox.test.ts\` (round trips 4/6 → 3/5).

### 2. Ledger errors reach Step Functions under a retryable name

\`packages/functions/src/shared/action-handler.ts\`: the ledger handed to \`runAction\` is wrapped
(\`classifyingLedger\`) so that a failed ledger read or write is classified like any other AWS error
(\`Throttling\` → \`ThrottledError\`, 5xx → \`TransientServiceError\`, …). Before, a throttled ledger PutItem
escaped as the raw SDK error (\`Throttling\`, \`ProvisionedThroughputExceededException\`), which no Retry of
the playbooks names, so the step failed at once and the playbook ended FAILED. Retrying is safe: the action
plans again and finds its change already done.

| 200 concurrent incidents, 5 % of calls throttled | Before | After |
| --- | --- | --- |
| SUCCEEDED | 98 | see section 3 |
| ENIs not contained | 67 | see section 3 |
| Lost incidents / duplicate containments | 0 / 0 | see section 3 |

Test: \`packages/functions/test/shared/action-handler.test.ts\` ("reports a throttled ledger write as
ThrottledError, which the playbooks retry").

### 3. Throttling gets its own, longer retrier

\`packages/core/src/playbooks/build.ts\`: every Task now retries \`ThrottledError\` and
\`Lambda.TooManyRequestsException\` up to 10 times (backoff 2, full jitter, at most 30 s between tries),
ahead of the usual retrier (5 retries) for the other retryable errors. Under 5 % throttling on every call a
step of about 6 calls fails an attempt about 26 % of the time: with 6 attempts a step still failed about once
in 3,000 runs, so about one incident in 200–500 ended FAILED (truthfully, with its notification). In AWS the
SDK's own retries (3 attempts, standard mode) come first and make this rarer; the sandbox answers before the
SDK's retry middleware, so the bench sees only Step Functions' retries.

| 200 concurrent incidents, 5 % of calls throttled | Before (after change 2) | After |
| --- | --- | --- |
| SUCCEEDED | 199 | see section 3 |

Tests: \`packages/core/test/playbooks/build.test.ts\` (both retriers on every Task) and
\`engine.retry.test.ts\` (a step throttled every time is tried 11 times, then reported failed).

### 4. Each action's bundle holds only the SDK clients it calls

\`packages/functions/src/shared/account-clients.ts\` no longer imports the six account clients: each handler
entry passes the client classes its action's permissions name (\`clientsUsedBy\` in the action catalog; a
conformance test checks every entry), so esbuild leaves the others out. A client a handler did not provide
fails loudly (\`ClientNotProvidedError\`).

| Action bundles (before: the run of this bench at the previous commit) | Before | After |
| --- | --- | --- |
| deactivate-access-key / revoke-sessions / disable-console-access (IAM only) | 1.68 MiB, +300–327 ms | see section 2 |
| isolate-instance / snapshot-volumes / protect-evidence (EC2 only) | 1.67–1.68 MiB, +298–346 ms | see section 2 |
| notify (SNS only) | 1.68 MiB, +343 ms | see section 2 |

### Not changed: what the missed targets need

**Containment in ≤ 5 round trips.** The critical path (section 1) is triage's 4 calls (idempotency claim,
the incident's execution claim, blast-radius UpdateItem, StartExecution), then three Lambda steps in a row, each paying its own describe, a
ledger \`planned\` write before its change, the change, and a ledger \`done\` write before the next step can
start; deregister-from-load-balancers adds DescribeTargetGroups → DescribeTargetHealth. A budget that meets
the target:

1. triage: blast-radius UpdateItem ∥ the execution claim (which already deduplicates: the Powertools
   idempotency layer could go) ∥ DescribeInstances ∥ DescribeSecurityGroups (isolation groups) —
   the ENIs and their original groups go into the execution input;
2. StartExecution;
3. one \`contain-instance\` step: the ledger \`planned\` entry (all restores, one write);
4. ModifyInstanceAttribute ×3 ∥ CreateTags ∥ EnterStandby ∥ every ENI → \`cordon-isolation-untrack\` (allowed:
   the allow-all group breaks no health check, so the ASG cannot mark the instance unhealthy before Standby);
5. every ENI → \`cordon-isolation\`, once EnterStandby has answered.

Load-balancer deregistration, snapshots, profile quarantine and the notification follow, off the critical
path (DOMAIN.md item 13 already says not to wait for draining). This changes the playbook, triage and the
action catalog, so it is a proposal for the lead, not made here.

**Target-group fan-out.** deregister-from-load-balancers calls DescribeTargetHealth on every target group of
the account. In a first run of section 3 with one shared sandbox account holding all 200 incidents' target
groups, deregister was the step that failed most often under 5 % throttling (≈ 200 DescribeTargetHealth calls
per attempt, so nearly every attempt hit a fault); section 3 therefore gives each incident its own account. Filtering target groups by the instance's VPC first would bound it.

**Bundles ≤ 1 MiB and ≤ 200 ms over empty Node.** Two causes are gone. The EC2 schema module, which esbuild
kept whole (≈ 540 KiB minified in every EC2 handler) because its trait objects use computed keys
(aws/aws-sdk-js-v3#7607), is cut to the schemas a handler uses by Cordon's esbuild plugin
(\`packages/functions/bundling/\`, named by SST's \`nodejs.plugins\` and used by this bench). The Powertools
Tracer and with it the X-Ray SDK (aws-xray-sdk-core ≈ 69 KiB plus cls-hooked and semver) are dropped in favour
of Lambda's active tracing. Every action bundle still carries zod (≈ 445 KiB minified; the action input schemas
and the settings schema), besides the DynamoDB (ledger) and SSM (settings) clients every action needs; what
would keep it out: zod replaced on the action inputs by \`zod/mini\` or hand-written guards, keeping full zod
only where events and settings are parsed.`;
