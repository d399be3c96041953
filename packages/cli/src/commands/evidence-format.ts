/**
 * The evidence pack as Markdown and as one self-contained HTML page (no script, no stylesheet, image or font
 * from anywhere: the style is inline, and every piece of text — finding titles, comments, ARNs — is escaped).
 */
import type { LedgerEntry } from '@cordon/core/ledger/ledger';
import type { EvidencePack } from './evidence.ts';
import { describeApproval } from './incident-format.ts';
import type { IncidentView } from './incident-view.ts';
import { duration, shortTime } from './time-options.ts';

type Incident = EvidencePack['incidents'][number];

function stepError(entry: LedgerEntry): string {
  if (entry.error === undefined) return '';
  return `${entry.error.name}: ${entry.error.message}`;
}

function containment(view: IncidentView): string {
  const { timing } = view;
  if (timing.containedAt === undefined) return 'not contained (no containing step done outside dry-run)';
  return `${duration(timing.secondsToContain ?? 0)} (finding ${shortTime(timing.findingAt)} → ${timing.containedBy} ${shortTime(timing.containedAt)})`;
}

function controls(incident: Incident): string {
  const served = incident.controls.length === 0 ? 'none named by its steps' : incident.controls.join(', ');
  return incident.detectedBy.length === 0
    ? served
    : `${served}; detected by ${incident.detectedBy.join(', ')}`;
}

function decisionText(view: IncidentView): string {
  const decision = view.decision;
  if (decision === undefined) return view.decisions[0]?.notes.join(' ') ?? '';
  return `${decision.playbook ?? 'no playbook'} (approval ${decision.approval ?? '?'}${decision.dryRun === true ? ', dry-run' : ''}): ${decision.reason ?? ''}`;
}

// ---- What both formats show ---------------------------------------------------------------------------

/** Who made the pack, over what window, from where. */
function introduction(pack: EvidencePack): string {
  return `Incidents decided from ${shortTime(pack.from)} to ${shortTime(pack.to)}, account ${pack.account}, region ${pack.region}. Generated ${shortTime(pack.generatedAt)} by ${pack.generatedBy} from the ledger, Step Functions and the approvals table.`;
}

const SUMMARY_HEADER = [
  'Incidents',
  'By status',
  'Contained',
  'Median time to containment',
  'Approvals asked',
  'Decided by people',
] as const;

function summaryRow(summary: EvidencePack['summary']): string[] {
  return [
    String(summary.incidents),
    Object.entries(summary.byStatus)
      .map(([status, count]) => `${status} ${count}`)
      .join(', ') || '-',
    String(summary.contained),
    summary.medianSecondsToContain === undefined ? '-' : duration(summary.medianSecondsToContain),
    String(summary.approvalsAsked),
    String(summary.approvalsDecidedByPeople),
  ];
}

/** An incident's facts, term and value, in the order both formats list them. */
function incidentFacts(incident: Incident): [string, string][] {
  return [
    ['Title', incident.summary.title ?? '(not recorded)'],
    ['Source', [incident.source, incident.type].filter(Boolean).join(' ')],
    [
      'Severity',
      incident.summary.severity === undefined
        ? '-'
        : `${incident.summary.severity.label} (${incident.summary.severity.score})`,
    ],
    ['Account, region', `${incident.summary.account ?? '-'}, ${incident.summary.region ?? '-'}`],
    ['Decision', decisionText(incident)],
    ['Settings versions', incident.settingsVersions.join(', ')],
    ['Status', incident.status],
    ['Time to containment', containment(incident)],
    ['Controls', controls(incident)],
  ];
}

const STEP_HEADER = ['At', 'Step', 'Outcome', 'Dry run', 'Settings', 'Changes', 'Error'] as const;

function stepRow(entry: LedgerEntry): string[] {
  return [
    shortTime(entry.at),
    entry.step,
    entry.outcome,
    entry.dryRun ? 'yes' : 'no',
    entry.settingsVersion,
    entry.changes
      .map(
        (change) =>
          `${change.resource} ${change.attribute}: ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}`,
      )
      .join('; ') || '-',
    stepError(entry) || '-',
  ];
}

// ---- Markdown ------------------------------------------------------------------------------------------

/**
 * Text inside Markdown, never at the start of a line: the characters that make emphasis, code, links, HTML,
 * table cells and strike-through are escaped, lines joined.
 */
export function mdText(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>|~]/g, (character) => `\\${character}`);
}

function mdRow(cells: readonly string[]): string {
  return `| ${cells.map(mdText).join(' | ')} |`;
}

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [mdRow(header), `|${header.map(() => ' --- |').join('')}`, ...rows.map(mdRow)];
}

/**
 * The pack as Markdown: summary, settings in force, then one section per incident.
 *
 * @example formatEvidenceMarkdown(pack, new Date())
 */
export function formatEvidenceMarkdown(pack: EvidencePack, now: Date): string {
  const lines: string[] = [
    `# Cordon evidence: stage ${mdText(pack.stage)}`,
    '',
    mdText(introduction(pack)),
    '',
    '## Summary',
    '',
    ...mdTable(SUMMARY_HEADER, [summaryRow(pack.summary)]),
    '',
    '## Settings in force',
    '',
  ];
  if (pack.settings.length === 0) lines.push('No incident in the window.', '');
  for (const settings of pack.settings) {
    lines.push(
      `### Version ${mdText(settings.version)}`,
      '',
      `${mdText(settings.note)}. Incidents: ${mdText(settings.incidents.join(', '))}.`,
      '',
    );
    if (settings.values !== undefined) {
      // A fenced block shows JSON verbatim; a fence longer than any run of backticks inside keeps it closed.
      const json = JSON.stringify(settings.values, null, 2);
      const fence = '`'.repeat(Math.max(3, ...[...json.matchAll(/`+/g)].map((run) => run[0].length + 1)));
      lines.push(`${fence}json`, json, fence, '');
    }
  }
  lines.push('## Incidents', '');
  if (pack.incidents.length === 0) lines.push('None.', '');
  for (const incident of pack.incidents) {
    lines.push(
      `### ${mdText(incident.id)}`,
      '',
      ...incidentFacts(incident).map(([term, value]) => `- **${term}**: ${mdText(value)}`),
    );
    for (const execution of incident.executions) {
      lines.push(
        `- **Execution**: [${mdText(`${execution.name} (${execution.playbook}) ${execution.status}`)}](${execution.consoleUrl})`,
      );
    }
    lines.push('', '**Approvals**', '');
    if (incident.approvals.length === 0) lines.push('- none asked');
    for (const approval of incident.approvals) lines.push(`- ${mdText(describeApproval(approval, now))}`);
    lines.push('', '**Steps**', '');
    if (incident.steps.length === 0) lines.push('- none recorded');
    else {
      lines.push(...mdTable(STEP_HEADER, incident.steps.map(stepRow)));
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

// ---- HTML ----------------------------------------------------------------------------------------------

/** Text inside HTML, in element content and in quoted attributes alike. */
export function htmlText(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Only the console's own https links become links; anything else is shown as text. */
function link(url: string, label: string): string {
  return /^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\//.test(url)
    ? `<a href="${htmlText(url)}">${htmlText(label)}</a>`
    : htmlText(label);
}

function htmlTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = header.map((cell) => `<th>${htmlText(cell)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${htmlText(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1b1b1b;line-height:1.4}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#eee}code,pre{font-family:ui-monospace,monospace;font-size:.85rem}pre{background:#f6f6f6;padding:.5rem;overflow:auto}
section{border-top:2px solid #ddd;margin-top:1.5rem}dt{font-weight:600}dd{margin:0 0 .4rem 1rem}`;

/**
 * The pack as one HTML page that needs nothing else to be read: no external asset, every text escaped.
 *
 * @example formatEvidenceHtml(pack, new Date()).includes('<script') // false
 */
export function formatEvidenceHtml(pack: EvidencePack, now: Date): string {
  const parts: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${htmlText(`Cordon evidence: stage ${pack.stage}`)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${htmlText(`Cordon evidence: stage ${pack.stage}`)}</h1>`,
    `<p>${htmlText(introduction(pack))}</p>`,
    '<h2>Summary</h2>',
    htmlTable(SUMMARY_HEADER, [summaryRow(pack.summary)]),
    '<h2>Settings in force</h2>',
  ];
  if (pack.settings.length === 0) parts.push('<p>No incident in the window.</p>');
  for (const settings of pack.settings) {
    parts.push(
      `<h3>${htmlText(`Version ${settings.version}`)}</h3>`,
      `<p>${htmlText(`${settings.note}. Incidents: ${settings.incidents.join(', ')}.`)}</p>`,
    );
    if (settings.values !== undefined)
      parts.push(`<pre>${htmlText(JSON.stringify(settings.values, null, 2))}</pre>`);
  }
  parts.push('<h2>Incidents</h2>');
  if (pack.incidents.length === 0) parts.push('<p>None.</p>');
  for (const incident of pack.incidents) {
    parts.push(
      `<section><h3>${htmlText(incident.id)}</h3><dl>`,
      ...incidentFacts(incident).map(
        ([term, value]) => `<dt>${htmlText(term)}</dt><dd>${htmlText(value)}</dd>`,
      ),
      ...incident.executions.map(
        (execution) =>
          `<dt>Execution</dt><dd>${link(execution.consoleUrl, `${execution.name} (${execution.playbook}) ${execution.status}`)}</dd>`,
      ),
      '</dl><h4>Approvals</h4><ul>',
      ...(incident.approvals.length === 0
        ? ['<li>none asked</li>']
        : incident.approvals.map((approval) => `<li>${htmlText(describeApproval(approval, now))}</li>`)),
      '</ul><h4>Steps</h4>',
      incident.steps.length === 0
        ? '<p>none recorded</p>'
        : htmlTable(STEP_HEADER, incident.steps.map(stepRow)),
      '</section>',
    );
  }
  parts.push('</body></html>');
  return `${parts.join('\n')}\n`;
}
