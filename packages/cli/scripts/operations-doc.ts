/**
 * The real output in docs/operations.md: each `<!-- cordon <role>: <args> -->` marker is followed by a text block
 * holding what `cordon <args>` printed when run as that role at that point of the day of operations
 * (operations-day.ts), in the order of the document; `<!-- policy <role> -->` markers by that role's policy
 * (operator-policies.ts) and `<!-- permissions -->` by the table of what each command calls.
 * `npm run docs:operations` rewrites the file; `packages/cli/test/operations-doc.test.ts` fails when it drifts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  COMMAND_PERMISSIONS,
  OPERATOR_ROLES,
  type OperatorRole,
  operatorPolicies,
} from '../src/operator-policies.ts';
import { type OperationsDay, operationsDay, writeOnce } from './operations-day.ts';

export const OPERATIONS_DOC = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'docs',
  'operations.md',
);

/** The files the document's commands name, by the name they are shown with. */
export const EXAMPLE_FILES: Readonly<Record<string, unknown>> = {
  'settings-bad.json': { mode: 'live', severity: { approvalAt: 12 }, colour: 'red' },
  'settings-dry-run.json': { mode: 'dry-run', approval: { timeoutSeconds: 900 } },
  'thresholds.json': { RootAccountUsage: { threshold: 2, periodSeconds: 300 } },
};

/** The account, region and stage the printed policies name (replace them with yours). */
export const POLICY_SCOPE = { account: '111122223333', region: 'eu-west-1', stage: 'prod' } as const;

// A block ends at a fence alone on its line (the output may hold fenced blocks of its own).
const COMMAND =
  /<!-- cordon (cordon-operator|cordon-settings-admin|cordon-responder): (.*?) -->\n```text\n[\s\S]*?^```$/gm;
const POLICY =
  /<!-- policy (cordon-operator|cordon-settings-admin|cordon-responder) -->\n```json\n[\s\S]*?^```$/gm;
const PERMISSIONS = /<!-- permissions -->\n(\|.*\n)+/;

/** Runs one marker's command on the day: its argv with files and incidents named, `| head -N` applied. */
async function runMarker(day: OperationsDay, role: OperatorRole, line: string): Promise<string> {
  const [command = '', head] = line.split(' | head -');
  const shown: string[] = [];
  const argv = command
    .trim()
    .split(/\s+/)
    .map((word) => {
      const incident = /^\{incident:(\w+)\}$/.exec(word)?.[1];
      if (incident !== undefined) {
        const id = day.incidents[incident];
        if (id === undefined) throw new Error(`docs/operations.md names an unknown incident: ${word}`);
        return id;
      }
      if (word in EXAMPLE_FILES) {
        const path = writeOnce(word, EXAMPLE_FILES[word]);
        shown.push(dirname(path));
        return path;
      }
      return word;
    });
  const result = await day.run(role, argv);
  // A command may print a block of lines as one string (the Markdown pack): count lines as a terminal shows them.
  let lines = [...result.out, ...result.err].flatMap((each) => each.split('\n'));
  if (head !== undefined) lines = lines.slice(0, Number(head));
  // The example files are written to a temporary directory: show them by name, as a person would type them.
  const text = lines.map((each) =>
    shown.reduce((line, directory) => line.split(`${directory}/`).join(''), each),
  );
  const typed = argv.map((word) =>
    shown.reduce((each, directory) => each.split(`${directory}/`).join(''), word),
  );
  return [`$ cordon ${typed.join(' ')}${result.code === 0 ? '' : `   # exit ${result.code}`}`, ...text].join(
    '\n',
  );
}

/**
 * The document with every generated block filled in, the commands run in order on one day.
 *
 * @example await writeFile(OPERATIONS_DOC, await renderOperationsDoc(await readFile(OPERATIONS_DOC, 'utf8')))
 */
export async function renderOperationsDoc(text: string): Promise<string> {
  const day = await operationsDay();
  let rendered = '';
  let last = 0;
  for (const match of text.matchAll(COMMAND)) {
    const [whole, role, line] = match as unknown as [string, OperatorRole, string];
    rendered += text.slice(last, match.index);
    rendered += `<!-- cordon ${role}: ${line} -->\n\`\`\`text\n${await runMarker(day, role, line)}\n\`\`\``;
    last = (match.index ?? 0) + whole.length;
  }
  rendered += text.slice(last);
  const policies = operatorPolicies(POLICY_SCOPE);
  rendered = rendered.replace(POLICY, (_whole, role: OperatorRole) => {
    if (!OPERATOR_ROLES.includes(role)) throw new Error(`unknown role ${role}`);
    return `<!-- policy ${role} -->\n\`\`\`json\n${JSON.stringify(policies[role], null, 2)}\n\`\`\``;
  });
  const table = [
    '| Command | Calls (IAM actions) | Role |',
    '| --- | --- | --- |',
    ...COMMAND_PERMISSIONS.map(
      (row) =>
        `| \`${row.command}\` | ${row.actions.length === 0 ? 'none' : row.actions.map((action) => `\`${action}\``).join(', ')} | ${row.role} |`,
    ),
  ].join('\n');
  return rendered.replace(PERMISSIONS, `<!-- permissions -->\n${table}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await readFile(OPERATIONS_DOC, 'utf8');
  await writeFile(OPERATIONS_DOC, await renderOperationsDoc(text));
  process.stdout.write(`Wrote ${join('docs', 'operations.md')}.\n`);
}
