import { allStates, type Branch, edgesOf, type State } from './asl.ts';

/**
 * A Mermaid flowchart of a state machine, generated from its ASL so that the docs cannot drift from it:
 * Parallel states are subgraphs with one subgraph per branch, `Catch` edges are dashed and labelled with
 * the errors they catch, `Choice` edges are labelled with their rule.
 *
 * @example
 * toMermaid(buildPlaybook('notify-only', LOCAL_BUILD_OPTIONS))
 * // flowchart TD
 * //   start([Start]) --> s0
 * //   s0["Tell the responders what was decided"] …
 */
export function toMermaid(definition: Branch): string {
  const ids = new Map<string, string>();
  const idOf = (name: string): string => {
    const known = ids.get(name);
    if (known !== undefined) return known;
    const id = `s${ids.size}`;
    ids.set(name, id);
    return id;
  };
  // Ids in definition order, so that the diagram text reads in the same order as the ASL.
  for (const { name } of allStates(definition)) idOf(name);
  const nodes: string[] = [];
  const edges: string[] = [];

  const render = (branch: Branch, indent: string, top: boolean): void => {
    for (const [name, state] of Object.entries(branch.States)) {
      const id = idOf(name);
      if (state.Type === 'Parallel') {
        nodes.push(`${indent}subgraph ${id} ["${label(name)}"]`, `${indent}  direction TB`);
        state.Branches.forEach((inner, index) => {
          nodes.push(`${indent}  subgraph ${id}_b${index} ["branch ${index + 1}"]`);
          render(inner, `${indent}    `, false);
          nodes.push(`${indent}  end`);
        });
        nodes.push(`${indent}end`);
      } else {
        nodes.push(`${indent}${id}${shape(state, name)}`);
      }
      for (const edge of edgesOf(state)) {
        const to = idOf(edge.to);
        if (edge.kind === 'catch') edges.push(`  ${id} -.->|"${label(edge.label)}"| ${to}`);
        else if (edge.kind === 'next') edges.push(`  ${id} --> ${to}`);
        else edges.push(`  ${id} -->|"${label(edge.label)}"| ${to}`);
      }
      if (top && 'End' in state && state.End === true) edges.push(`  ${id} --> finish([End])`);
    }
  };

  render(definition, '  ', true);
  return [
    'flowchart TD',
    `  start([Start]) --> ${idOf(definition.StartAt)}`,
    ...nodes,
    ...edges,
    '  classDef succeed fill:#e6f4ea,stroke:#188038',
    '  classDef fail fill:#fce8e6,stroke:#c5221f',
    '',
  ].join('\n');
}

function shape(state: State, name: string): string {
  const text = label(name);
  switch (state.Type) {
    case 'Task':
      return `["${text}"]`;
    case 'Choice':
      return `{"${text}"}`;
    case 'Pass':
      return `[/"${text}"/]`;
    case 'Succeed':
      return `(["${text}"]):::succeed`;
    case 'Fail':
      return `(["${text}"]):::fail`;
    default:
      return `["${text}"]`;
  }
}

/** Mermaid labels are double-quoted: a quote inside one must be an entity. */
function label(text: string): string {
  return text.replaceAll('"', '#quot;');
}
