import { allStates, type Branch, type Edge, edgesOf, type State } from './asl.ts';
import { PLAYBOOK_ERRORS } from './error-handling.ts';
import { stepOfState } from './states.ts';

/**
 * Cordon's own rules for a playbook, on top of what asl-validator checks (the ASL itself):
 * - every Task has a `Retry` and a `Catch` for `States.ALL` — an unnamed error must still be reported;
 * - a `.waitForTaskToken` Task has `TimeoutSeconds` or `TimeoutSecondsPath` (without, it waits up to a year,
 *   DOMAIN.md item 24);
 * - no Fail state is reachable without a notify Task just before it (DOMAIN.md item 35: a failed playbook
 *   says which step failed, with a notification). Pass and Choice states in between are fine; an error
 *   leaving a Parallel counts as notified when every way out of its branches is.
 *
 * Returns one sentence per problem; an empty array means none.
 *
 * @example
 * lintPlaybook(buildPlaybook('ec2-compromise', LOCAL_BUILD_OPTIONS)) // []
 */
export function lintPlaybook(definition: Branch): string[] {
  const problems: string[] = [];
  for (const { name, state } of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    if (state.Retry === undefined || state.Retry.length === 0) problems.push(`Task "${name}" has no Retry.`);
    if (state.Catch === undefined || state.Catch.length === 0) {
      problems.push(`Task "${name}" has no Catch.`);
    } else if (!state.Catch.some((catcher) => catcher.ErrorEquals.includes(PLAYBOOK_ERRORS.all))) {
      problems.push(`Task "${name}" has no Catch for States.ALL: an error it does not name goes unreported.`);
    }
    if (
      state.Resource.endsWith('.waitForTaskToken') &&
      state.TimeoutSeconds === undefined &&
      state.TimeoutSecondsPath === undefined
    ) {
      problems.push(
        `Task "${name}" waits for a task token without TimeoutSeconds: it would wait up to a year.`,
      );
    }
  }
  problems.push(...unnotifiedFailures(definition));
  return problems;
}

interface Incoming {
  readonly from: string;
  readonly edge: Edge;
}

/** Problems with the Fail states of one branch (or of the top level), and of the branches inside it. */
function unnotifiedFailures(branch: Branch): string[] {
  const incoming = new Map<string, Incoming[]>();
  for (const [from, state] of Object.entries(branch.States)) {
    for (const edge of edgesOf(state)) {
      const list = incoming.get(edge.to) ?? [];
      list.push({ from, edge });
      incoming.set(edge.to, list);
    }
  }
  const problems: string[] = [];
  for (const [failName, fail] of Object.entries(branch.States)) {
    if (fail.Type !== 'Fail') continue;
    const seen = new Set<string>([failName]);
    const queue: string[] = [failName];
    if (branch.StartAt === failName) problems.push(`Fail "${failName}" is the start state.`);
    for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
      for (const { from, edge } of incoming.get(target) ?? []) {
        const state = branch.States[from];
        if (state === undefined) continue;
        const problem = checkPredecessor(failName, from, state, edge, branch);
        if (problem === 'walk-on') {
          if (from === branch.StartAt) {
            problems.push(`Fail "${failName}" is reachable from the start without a notification.`);
          }
          if (!seen.has(from)) {
            seen.add(from);
            queue.push(from);
          }
        } else if (problem !== undefined) {
          problems.push(problem);
        }
      }
    }
  }
  for (const state of Object.values(branch.States)) {
    if (state.Type === 'Parallel')
      for (const inner of state.Branches) problems.push(...unnotifiedFailures(inner));
  }
  return problems;
}

/** `undefined`: notified on this edge; `walk-on`: look further back; a string: the problem. */
function checkPredecessor(
  failName: string,
  from: string,
  state: State,
  edge: Edge,
  branch: Branch,
): string | 'walk-on' | undefined {
  switch (state.Type) {
    case 'Pass':
    case 'Choice':
      return 'walk-on';
    case 'Task':
      return stepOfState(from) === 'notify'
        ? undefined
        : `Fail "${failName}" is reachable from Task "${from}" without a notification.`;
    case 'Parallel':
      if (edge.kind === 'catch' && state.Branches.every(branchErrorsAreNotified)) return undefined;
      return `Fail "${failName}" is reachable from Parallel "${from}" without a notification.`;
    default:
      // Succeed and Fail have no outgoing edges; kept for exhaustiveness.
      return `Fail "${failName}" is reachable from "${from}" (${state.Type}) in "${branch.StartAt}".`;
  }
}

/** A branch reports every error that leaves it: each Task catches all, and each Fail is notified. */
function branchErrorsAreNotified(branch: Branch): boolean {
  const tasksCatchAll = Object.values(branch.States).every(
    (state) =>
      state.Type !== 'Task' || (state.Catch ?? []).some((c) => c.ErrorEquals.includes(PLAYBOOK_ERRORS.all)),
  );
  return tasksCatchAll && unnotifiedFailures(branch).length === 0;
}
