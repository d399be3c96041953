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

### 5. Containment in one step, from triage's reads

Four changes, measured against the bench at commit 0d35e88 (same machine, same seeds):

- **\`contain-instance\`** (\`packages/core/src/actions/contain-instance.ts\`) replaces protect-evidence →
  (detach-from-autoscaling ∥ deregister-from-load-balancers) → isolate-instance, three Lambda steps in a row, each
  with its own reads, ledger \`planned\` write, change and \`done\` write. It writes one \`planned\` entry with every
  part's restore, then sends evidence protection, EnterStandby and every ENI's move to the allow-all group
  together, and moves the ENIs to the no-rule group once protection and Standby have answered (DOMAIN.md item
  13: the network is cut only when the group can no longer terminate the instance; if either fails, nothing
  is cut and the ENIs go back to their groups). The three actions remain as its parts (their plans are
  shared, and release reads their restore records inside the new entry).
- **Triage reads the instance** (\`observeInstance\`, five read-only calls with an observer role in the member
  account) in the same round trip as the incident's claim and the blast-radius update, and passes the reads
  in the execution input. \`contain-instance\` uses them while they are at most 30 s old and reads the same
  things again alongside its \`planned\` write (no extra round trip): if anything changed (an ENI attached,
  groups, volumes, tags — an exemption included —, Auto Scaling membership, or a retry after a partial run),
  it plans again from live reads. A lease on the instance (a conditional write sent with those reads) keeps
  two incidents from containing one instance at once.
- **No Powertools idempotency layer in triage**: the incident's claim (a conditional write) and the execution
  name already make one playbook per incident. The claim now lets the same playbook claim again: before,
  a triage throttled after its claim was retried into "duplicate" and the incident was never started.
- **Deregistration from load balancers after the cut**, in parallel with snapshots and the profile quarantine
  (an isolated instance fails its health checks, so the load balancer stops sending it traffic anyway, and
  DOMAIN.md item 13 says not to wait for draining; EnterStandby already deregisters it from the group's own
  target groups).

| Containment path, 1, 3 or 8 ENIs | Before | After |
| --- | --- | --- |
| Round trips, groups existing | 17 (850 ms) | see section 1 |
| Round trips, first incident in the VPC | 19 (950 ms) | see section 1 |
| Naive serialized version of the playbook | 30 / 34 / 44 | see section 1 |
| ec2-compromise state transitions / Lambda invocations per incident | 12 / 8 | see section 4 |

Tests: \`contain-instance.test.ts\` and \`contain-instance.sandbox.test.ts\` (Standby answered before any ENI
is cut; nothing cut when EnterStandby is refused; three round trips in the step; stale or foreign
observations ignored; re-planning when an ENI was attached or an exemption tag added since triage; a retry
after a partial run), \`packages/functions/test/triage.test.ts\` (a triage that failed after its claim still
starts the playbook on retry; ten deliveries start one), the scenario and playbook tests.

What remains on the path: 2 round trips in triage, 3 in the step. The first incident in a VPC adds two
(creating the isolation groups, then their rules); creating them ahead of time needs a write in the member
account outside an incident, which Cordon does not do.

### 6. Bundles: only the SDK schemas a handler uses, no X-Ray SDK, zod/mini

Three changes, each in its own commit, measured before against this bench at commit 0d35e88:

- **The AWS SDK's schema modules are tree-shaken.** Since SDK 3.930 each client's \`schemas_0.js\` (1.3 MB for
  EC2) uses computed keys (\`{ [_xN]: … }\`) that esbuild must assume have side effects, so it kept the whole
  module (≈ 540 KiB minified in every EC2 handler; aws/aws-sdk-js-v3#7607, fix pending in
  smithy-lang/smithy-typescript#1889). Cordon's esbuild plugin (\`packages/functions/bundling/\`) rewrites
  those keys to the literal strings the module itself declares, changing nothing else (tests: every installed
  schema module bundled with and without the plugin exports the same structures; a real EC2Client call through a
  bundled handler parses a real response). SST's \`nodejs.plugins\` names the same file, through a wrapper for
  a bug in SST's plugin host that would otherwise skip every filtered plugin (an infra test runs the file in
  SST's own host).
- **No Powertools Tracer** (and so no aws-xray-sdk-core, cls-hooked, semver): Lambda's active tracing and
  Step Functions' X-Ray tracing still give each function's segment and the service map; per-AWS-call
  subsegments are the trade-off.
- **zod/mini instead of classic zod** (one \`packages/core/src/zod.ts\`, namespace imports, English messages as
  classic installs them; a conformance test bundles a handler and finds no classic zod): classic zod cannot be
  tree-shaken (≈ 445 KiB in every bundle); mini brings 30–40 KiB. Every schema's output and every issue were
  compared with the classic schemas on all bundled events and 6,000 random settings: identical.

| Bundle (before: commit 0d35e88) | Before | After |
| --- | --- | --- |
| EC2 actions (isolate-instance, now contain-instance) | 1.58 MiB, +337 ms | see section 2 |
| release-instance | 1.67 MiB, +381 ms | see section 2 |
| notify | 1.05 MiB, +213 ms | see section 2 |
| triage | 1.13 MiB, +228 ms | see section 2 |

Measured separately while the changes were made: the plugin and the Tracer's removal alone took
isolate-instance to 969 KiB and +197 ms (so zod alone would have kept release-instance and triage above
1 MiB); zod/mini alone took it from 1.58 to 1.17 MiB.

### Not changed: noticed while benchmarking

**Target-group fan-out.** deregister-from-load-balancers calls DescribeTargetHealth on every target group of
the account. In a first run of section 3 with one shared sandbox account holding all 200 incidents' target
groups, deregister was the step that failed most often under 5 % throttling (≈ 200 DescribeTargetHealth calls
per attempt, so nearly every attempt hit a fault); section 3 therefore gives each incident its own account. Since
then (issue 16) the step skips \`instance\` target groups of a VPC the instance has no interface in (RegisterTargets
refuses such an instance), still reads every \`ip\` target group (a peered VPC's address may be the instance's), and
reads at most 5 at once through \`mapLimit\`; ELBv2 has no call that names the groups holding an instance, so one
DescribeTargetHealth per remaining group is the least there is. The step is off the containment path.`;
