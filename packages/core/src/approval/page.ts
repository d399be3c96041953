/**
 * The approval page: small, server-rendered, readable on a phone, no framework. Its one script (allowed by
 * hash in the CSP, nothing else can run) rewrites each time in the reader's own time zone with the browser's
 * `Intl`, and the time left; without it the page still shows every time in UTC.
 * Everything that comes from the record (findings are attacker-influenced text) is HTML-escaped.
 *
 * CSRF: a signed double-submit cookie. The page sets `cordon_csrf` (HttpOnly, SameSite=Strict, scoped to
 * this approval's path) and puts the same token in the form; a decision needs both, equal, and the token's
 * HMAC must name this approval. Chosen over a server-side session because the API is stateless (a Lambda):
 * a cross-site form can neither read the cookie nor make the browser send it (SameSite=Strict), and the HMAC
 * (keyed from the link-signing key, with a `csrf` label) stops a token of one approval — or a cookie planted
 * by a sibling host — from working for another.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MAX_COMMENT_LENGTH } from './decide.ts';
import {
  EVIDENCE_TIME_LABELS,
  evidenceLines,
  executionConsoleUrl,
  findingConsoleUrl,
  namedResources,
  stepWords,
  timeLeft,
} from './readable.ts';
import type { ApprovalRecord } from './records.ts';
import { approvedActions } from './slack-messages.ts';

export const CSRF_COOKIE = 'cordon_csrf';
export const CSRF_FIELD = 'csrf';
const CSRF_PATTERN = /^[A-Za-z0-9_-]{22}\.[0-9a-f]{64}$/;

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1rem;background:#f6f7f9;color:#1b1f24;line-height:1.45}
main{max-width:40rem;margin:0 auto;background:#fff;border-radius:.5rem;padding:1rem 1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:.2rem 0 .6rem}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;font-weight:700;font-size:.85rem;color:#fff;background:#6b7280}
.badge.critical{background:#7f1d1d}.badge.high{background:#b91c1c}.badge.medium{background:#b45309}.badge.low{background:#2563eb}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem;margin:.75rem 0}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere;min-width:0}
ul{padding-left:1.2rem}code{background:#eef0f3;padding:.05rem .3rem;border-radius:.2rem;overflow-wrap:anywhere}
textarea{width:100%;box-sizing:border-box;min-height:4.5rem;font:inherit;padding:.4rem}
.buttons{display:flex;gap:.75rem;margin-top:.75rem}
button{flex:1;font-size:1.1rem;padding:.8rem;border:0;border-radius:.4rem;color:#fff;cursor:pointer}
button.approve{background:#15803d}button.reject{background:#b91c1c}
.note{color:#4b5563;font-size:.9rem}.warning{color:#92400e;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.3rem .25rem;border-bottom:1px solid #e5e7eb;vertical-align:top}
td.actions{white-space:nowrap}button.small{flex:none;font-size:.85rem;padding:.25rem .6rem;margin:0 .15rem}
h2{font-size:1.05rem;margin:1rem 0 .4rem}ol.steps li{margin-bottom:.45rem}ol.steps code{font-size:.8rem}
.expiry{font-weight:700}.links a{display:block;padding:.35rem 0;overflow-wrap:anywhere}
`;
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/**
 * The page's one script: every `<time datetime>` is shown in the reader's time zone (the browser's `Intl`),
 * and one marked `data-left` also says how long is left, again every 30 seconds. Without it the server's text
 * stays: UTC, and the time left when the page was served.
 */
export const LOCAL_TIME_SCRIPT = `(function(){
var f=new Intl.DateTimeFormat(undefined,{year:'numeric',month:'short',day:'numeric',hour:'2-digit',minute:'2-digit',timeZoneName:'short'});
function p(n){return n<10?'0'+n:''+n}
function left(ms){var m=Math.floor(ms/60000);if(m<1)return 'less than a minute';if(m<60)return m+' min';var h=Math.floor(m/60);if(h<48)return h+' h '+p(m%60)+' min';return Math.floor(h/24)+' days '+(h%24)+' h'}
function tick(){var all=document.querySelectorAll('time[datetime]');for(var i=0;i<all.length;i++){var t=all[i];var d=new Date(t.getAttribute('datetime'));if(isNaN(d.getTime()))continue;var s=f.format(d);if(t.hasAttribute('data-left')){var ms=d.getTime()-Date.now();s=ms<=0?'expired ('+s+')':'in '+left(ms)+' (at '+s+')'}t.textContent=s}}
tick();setInterval(tick,30000);
})();`;
const SCRIPT_HASH = createHash('sha256').update(LOCAL_TIME_SCRIPT).digest('base64');

/**
 * Response headers of every page: only the page's own script and stylesheet may run, each allowed by its hash
 * (no inline handler, no other script, nothing fetched), no framing, no referrer (the link's signature must not leak to other sites), no caching.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
});

/**
 * Escapes text for HTML element content and double- or single-quoted attribute values.
 *
 * @example escapeHtml('<script>"x"</script>') // '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function csrfMac(key: string, approvalId: string, nonce: string): string {
  return createHmac('sha256', key).update(`csrf.${approvalId}.${nonce}`).digest('hex');
}

/**
 * A CSRF token for one approval: a random nonce and its HMAC with the approval id.
 *
 * @example newCsrfToken(key, approvalId) // 'n0Nc3…22chars.3f9a…64 hex'
 */
export function newCsrfToken(key: string, approvalId: string, nonce: Buffer = randomBytes(16)): string {
  const encoded = nonce.toString('base64url');
  return `${encoded}.${csrfMac(key, approvalId, encoded)}`;
}

/**
 * Whether a decision carries a valid CSRF token: the form's and the cookie's are present and equal, and the
 * token was made for this approval with this key. Constant-time; never throws.
 *
 * @example verifyCsrfToken({ key, approvalId, formToken: body.get('csrf'), cookieToken: cookies.cordon_csrf }) // true
 */
export function verifyCsrfToken(options: {
  readonly key: string;
  readonly approvalId: string;
  readonly formToken: unknown;
  readonly cookieToken: unknown;
}): boolean {
  const { key, approvalId, formToken, cookieToken } = options;
  if (typeof formToken !== 'string' || typeof cookieToken !== 'string') return false;
  if (!CSRF_PATTERN.test(formToken) || !CSRF_PATTERN.test(cookieToken)) return false;
  const form = Buffer.from(formToken);
  const cookie = Buffer.from(cookieToken);
  if (form.length !== cookie.length || !timingSafeEqual(form, cookie)) return false;
  const [nonce = '', mac = ''] = formToken.split('.');
  const expected = Buffer.from(csrfMac(key, approvalId, nonce), 'hex');
  const received = Buffer.from(mac, 'hex');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/**
 * The `Set-Cookie` value carrying a CSRF token, scoped to one approval's path (or `path`, a group's page),
 * gone when the link expires.
 */
export function csrfCookie(options: {
  readonly token: string;
  readonly approvalId: string;
  readonly maxAgeSeconds: number;
  /** `false` only for the local server on plain http://127.0.0.1. */
  readonly secure: boolean;
  /** Default `/approvals/<approvalId>`. */
  readonly path?: string;
}): string {
  const maxAge = Math.max(0, Math.floor(options.maxAgeSeconds));
  return [
    `${CSRF_COOKIE}=${options.token}`,
    `Path=${options.path ?? `/approvals/${encodeURIComponent(options.approvalId)}`}`,
    `Max-Age=${maxAge}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** A whole page around `body` (escaped by the caller), with the page's one stylesheet. */
export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
<script>${LOCAL_TIME_SCRIPT}</script>
</body>
</html>
`;
}

/** An instant as the page shows it before its script runs: `2026-11-28 10:59 UTC`. */
export function utcText(iso: string): string {
  const time = Date.parse(iso);
  if (!Number.isFinite(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A `<time>` the script shows in the reader's zone; its text (UTC) is what a reader without script sees. */
export function timeElement(iso: string, text = utcText(iso), left = false): string {
  return `<time datetime="${escapeHtml(iso)}"${left ? ' data-left' : ''}>${escapeHtml(text)}</time>`;
}

/** The expiry: the time left, in the reader's zone by the script, with the UTC time kept beside it. */
function expiryHtml(record: ApprovalRecord, now: Date): string {
  const left = timeLeft(now, record.expiresAt);
  const served = left === 'expired' ? 'expired' : `in ${left} (at ${utcText(record.expiresAt)})`;
  return `<span class="expiry">${timeElement(record.expiresAt, served, true)}</span><br><span class="note">${escapeHtml(utcText(record.expiresAt))}</span>`;
}

/** What GuardDuty saw, as a heading and a list; empty when the record carries no evidence. */
export function evidenceHtml(
  record: Pick<ApprovalRecord, 'evidence'>,
  heading = 'What GuardDuty saw',
): string {
  const lines = evidenceLines(record.evidence);
  if (lines.length === 0) return '';
  const row = ({ label, text }: { label: string; text: string }) =>
    `<dt>${escapeHtml(label)}</dt><dd>${EVIDENCE_TIME_LABELS.has(label) ? timeElement(text) : escapeHtml(text)}</dd>`;
  return `<h2 id="evidence">${escapeHtml(heading)}</h2>
<dl>${lines.map(row).join('')}</dl>`;
}

/** The console links of a record (the finding, the execution); empty when it can make neither. */
export function linksHtml(record: Pick<ApprovalRecord, 'findingId' | 'executionArn' | 'incident'>): string {
  const finding =
    record.findingId === undefined ? undefined : findingConsoleUrl(record.incident.region, record.findingId);
  const execution = record.executionArn === undefined ? undefined : executionConsoleUrl(record.executionArn);
  const links = [
    finding === undefined
      ? ''
      : `<a href="${escapeHtml(finding)}" rel="noreferrer">The finding in the GuardDuty console</a>`,
    execution === undefined
      ? ''
      : `<a href="${escapeHtml(execution)}" rel="noreferrer">The playbook’s execution in the Step Functions console</a>`,
  ].filter((link) => link !== '');
  return links.length === 0 ? '' : `<p class="links" id="links">${links.join('\n')}</p>`;
}

/** The steps approval runs: what each does in words, its id below (`<li>`s of an `<ol class="steps">`). */
export function stepsHtml(record: Pick<ApprovalRecord, 'actions'>): string {
  return approvedActions(record)
    .map((step) => {
      const words = stepWords(step);
      return words === undefined
        ? `<li><code>${escapeHtml(step)}</code></li>`
        : `<li>${escapeHtml(words)}<br><code>${escapeHtml(step)}</code></li>`;
    })
    .join('');
}

function resourcesHtml(record: ApprovalRecord): string {
  const resources = namedResources(record.incident.resources);
  if (resources.length === 0) return '<li>none named</li>';
  return resources
    .map(
      (resource) =>
        `<li>${resource.name === undefined ? '' : `<strong>${escapeHtml(resource.name)}</strong> `}<code>${escapeHtml(resource.id)}</code>${resource.kind === undefined ? '' : ` <span class="note">${escapeHtml(resource.kind)}</span>`}</li>`,
    )
    .join('');
}

function summary(record: ApprovalRecord, now: Date): string {
  const { incident } = record;
  const label = incident.severity.label;
  return `<p><span class="badge ${escapeHtml(label)}">${escapeHtml(label.toUpperCase())} ${escapeHtml(incident.severity.score.toFixed(1))}</span> <strong>${escapeHtml(incident.category)}</strong></p>
<p>${escapeHtml(incident.title)}</p>
<dl>
<dt>Expires</dt><dd>${expiryHtml(record, now)}</dd>
<dt>Account</dt><dd>${escapeHtml(incident.account)}</dd>
<dt>Region</dt><dd>${escapeHtml(incident.region)}</dd>
<dt>Playbook</dt><dd>${escapeHtml(record.playbook ?? 'unknown')}</dd>
<dt>Incident</dt><dd><code>${escapeHtml(record.incidentId)}</code></dd>
</dl>
${record.reason === undefined ? '' : `<p class="note">${escapeHtml(record.reason)}</p>`}
<h2>Resources</h2>
<ul id="resources">${resourcesHtml(record)}</ul>
${evidenceHtml(record)}
${linksHtml(record)}
<h2 id="actions">If you approve, Cordon runs${record.dryRun ? ' (dry-run: it records, changes nothing)' : ''}</h2>
<ol class="steps">${stepsHtml(record)}</ol>`;
}

/** What to show of a decision already taken. */
export function decisionSentence(record: ApprovalRecord): string {
  const { decision } = record;
  if (record.status === 'withdrawn') {
    return 'Withdrawn: this request reached nobody and its playbook asked again; nothing can be decided here.';
  }
  if (decision === undefined)
    return 'Nobody decided in time: the playbook escalates and applies its timeout default.';
  const verb = decision.decision === 'approve' ? 'Approved' : 'Rejected';
  const who = decision.decidedBy.name ?? decision.decidedBy.id;
  const via = decision.decidedBy.kind === 'slack' ? 'in Slack' : 'on this page';
  const comment = decision.comment === undefined ? '' : `: “${decision.comment}”`;
  return `${verb} by ${who} ${via} at ${decision.decidedAt}${comment}`;
}

export interface ApprovalPageOptions {
  readonly record: ApprovalRecord;
  /** The link's `sig` and `exp`, already verified; the form sends them back. */
  readonly sig: string;
  readonly exp: string;
  readonly csrfToken: string;
  /** When the page is served: the time left is counted from it (the script counts it again in the browser). */
  readonly now?: Date;
}

/**
 * The page a signed link opens: the incident, the exact steps approval runs, and a form that POSTs the
 * decision (GET never decides). A decided approval shows who decided instead of the form.
 *
 * @example renderApprovalPage({ record, sig, exp, csrfToken }) // '<!doctype html>…<form method="post" action="/approvals/…/decision">…'
 */
export function renderApprovalPage(options: ApprovalPageOptions): string {
  const { record } = options;
  if (record.status !== 'pending') {
    return renderMessagePage({
      title:
        record.status === 'approved'
          ? 'Already approved'
          : record.status === 'rejected'
            ? 'Already rejected'
            : 'Withdrawn',
      message: decisionSentence(record),
      record,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }
  const action = `/approvals/${encodeURIComponent(record.approvalId)}/decision`;
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return layout(
    'Approval needed',
    `<h1>Approval needed</h1>
${summary(record, options.now ?? new Date())}
<form method="post" action="${escapeHtml(action)}">
${hidden('sig', options.sig)}
${hidden('exp', options.exp)}
${hidden(CSRF_FIELD, options.csrfToken)}
<label for="comment">Comment (optional, recorded with your decision)</label>
<textarea id="comment" name="comment" maxlength="${MAX_COMMENT_LENGTH}"></textarea>
<div class="buttons">
<button type="submit" class="approve" name="decision" value="approve">Approve</button>
<button type="submit" class="reject" name="decision" value="reject">Reject</button>
</div>
</form>
<p class="note">Opening this page changes nothing. Only configured approvers can decide, once.${record.timeoutDefault === undefined ? '' : ` If nobody decides before it expires, the default applies: <strong>${escapeHtml(record.timeoutDefault)}</strong>.`}</p>`,
  );
}

/**
 * A page with one message: the outcome of a decision, or why a request was refused.
 *
 * @example renderMessagePage({ title: 'Approved', message: 'Approved by alice…' })
 */
export function renderMessagePage(options: {
  readonly title: string;
  readonly message: string;
  readonly warning?: string;
  readonly record?: ApprovalRecord;
  readonly now?: Date;
}): string {
  return layout(
    options.title,
    `<h1>${escapeHtml(options.title)}</h1>
<p id="outcome">${escapeHtml(options.message)}</p>
${options.warning === undefined ? '' : `<p class="warning">${escapeHtml(options.warning)}</p>`}
${options.record === undefined ? '' : summary(options.record, options.now ?? new Date())}`,
  );
}
