import {
  escapeHtml,
  type Block,
  escapeMarkdown,
  escapeMarkdownLine,
  escapeSlack,
  fitBlocks,
  httpUrl,
  markdownUrl,
  oneLine,
  truncateChars,
  utf8Length,
} from './text.js';

/**
 * What a notification is about: an alarm that started firing, stopped, is still firing after the
 * repeat interval, or a test sent from the channel form.
 */
export const ALARM_MESSAGE_KINDS = ['FIRING', 'RESOLVED', 'REPEAT', 'TEST'] as const;
export type AlarmMessageKind = (typeof ALARM_MESSAGE_KINDS)[number];

/** How urgent an alarm is; it picks the colour and the badge. */
export const ALARM_SEVERITIES = ['CRITICAL', 'WARNING', 'INFO'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

/** One labelled value shown with the alarm (task, run, threshold, observed value, ...). */
export interface AlarmField {
  label: string;
  value: string;
}

/** One alarm of a grouped notification. */
export interface AlarmGroupItem {
  alarmId: string;
  kind: AlarmMessageKind;
  severity: AlarmSeverity;
  title: string;
  occurredAt: Date;
  /** The alarm in the dashboard. */
  url?: string;
}

/**
 * A notification, independent of where it goes; each channel renders it in its own format.
 * Text is plain: renderers escape it for their markup, so `*` or `<b>` in a task name shows as
 * typed.
 */
export interface AlarmMessage {
  kind: AlarmMessageKind;
  severity: AlarmSeverity;
  /** One line, e.g. `Task orders-sync failed`. */
  title: string;
  /** A few sentences; newlines are kept where the platform can show them. */
  summary: string;
  fields: AlarmField[];
  alarmId: string;
  ruleName: string;
  workspace: string;
  links?: { dashboardUrl?: string };
  occurredAt: Date;
  /**
   * Set when several alarms go out as one notification: all of them, this message's own alarm
   * included (the title then says `(+N more)`). The message's other fields describe the group.
   */
  group?: AlarmGroupItem[];
}

/** Platform limits the renderers keep to (documented by each platform). */
export const LIMITS = {
  /** Slack: header block text (characters). */
  slackHeader: 150,
  /** Slack: section text (characters). */
  slackSection: 3000,
  /** Slack: one field of a section (characters), and at most 10 fields per section. */
  slackField: 2000,
  slackFieldsPerSection: 10,
  /** Slack: blocks per message. */
  slackBlocks: 50,
  /** The top-level `text` fallback, kept to one section's size. */
  slackText: 3000,
  /** DingTalk and WeCom: markdown content (UTF-8 bytes). */
  markdownBytes: 4096,
  /** Feishu: request body of a custom bot (UTF-8 bytes, 20 KB). */
  feishuBodyBytes: 20_000,
  /** E-mail subject (characters). */
  emailSubject: 200,
} as const;

/** How much of the message a renderer keeps before the platform limit applies. */
const CAPS = { title: 200, summary: 2000, fieldLabel: 100, fieldValue: 500, fields: 20, group: 20 } as const;

const KIND_LABEL: Record<AlarmMessageKind, string> = {
  FIRING: 'Firing',
  RESOLVED: 'Resolved',
  REPEAT: 'Still firing',
  TEST: 'Test',
};

const SEVERITY_LABEL: Record<AlarmSeverity, string> = { CRITICAL: 'Critical', WARNING: 'Warning', INFO: 'Info' };

function badge(message: Pick<AlarmMessage, 'kind' | 'severity'>): string {
  if (message.kind === 'RESOLVED') return '✅';
  if (message.kind === 'TEST') return '🧪';
  return { CRITICAL: '🔴', WARNING: '🟠', INFO: '🔵' }[message.severity];
}

/** `[Firing · Critical] Task orders-sync failed`: the one-line form used as subject and fallback. */
export function headline(message: AlarmMessage): string {
  const title = truncateChars(oneLine(message.title), CAPS.title);
  const count = message.group && message.group.length > 1 ? ` (+${message.group.length - 1} more)` : '';
  return `[${KIND_LABEL[message.kind]} · ${SEVERITY_LABEL[message.severity]}] ${title}${count}`;
}

const utc = (date: Date): string => `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

function fieldsOf(message: AlarmMessage): AlarmField[] {
  return message.fields.slice(0, CAPS.fields).map((f) => ({
    label: truncateChars(oneLine(f.label), CAPS.fieldLabel),
    value: truncateChars(f.value.trim(), CAPS.fieldValue),
  }));
}

function groupOf(message: AlarmMessage): { items: AlarmGroupItem[]; more: number } {
  const all = message.group ?? [];
  return { items: all.slice(0, CAPS.group), more: Math.max(0, all.length - CAPS.group) };
}

const footer = (message: AlarmMessage): string =>
  `Sluice · rule ${oneLine(message.ruleName)} · workspace ${oneLine(message.workspace)} · ${utc(message.occurredAt)}`;

// ---------------------------------------------------------------------------------------------
// Generic webhook

/** The JSON a WEBHOOK channel posts (version 1). Values are the message's, not escaped or cut. */
export interface WebhookPayload {
  version: 1;
  source: 'sluice';
  kind: AlarmMessageKind;
  severity: AlarmSeverity;
  title: string;
  summary: string;
  fields: AlarmField[];
  alarmId: string;
  ruleName: string;
  workspace: string;
  links: { dashboardUrl?: string };
  occurredAt: string;
  group?: (Omit<AlarmGroupItem, 'occurredAt'> & { occurredAt: string })[];
}

/** The WEBHOOK body: every field of the message, in a stable, versioned shape. */
export function renderWebhookPayload(message: AlarmMessage): WebhookPayload {
  const payload: WebhookPayload = {
    version: 1,
    source: 'sluice',
    kind: message.kind,
    severity: message.severity,
    title: message.title,
    summary: message.summary,
    fields: message.fields.map((f) => ({ label: f.label, value: f.value })),
    alarmId: message.alarmId,
    ruleName: message.ruleName,
    workspace: message.workspace,
    links: message.links?.dashboardUrl ? { dashboardUrl: message.links.dashboardUrl } : {},
    occurredAt: message.occurredAt.toISOString(),
  };
  if (message.group) payload.group = message.group.map((g) => ({ ...g, occurredAt: g.occurredAt.toISOString() }));
  return payload;
}

// ---------------------------------------------------------------------------------------------
// Slack (incoming webhook, Block Kit)

type SlackText = { type: 'plain_text' | 'mrkdwn'; text: string; emoji?: boolean };
/** The Block Kit blocks this renderer emits. */
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] };

export interface SlackMessage {
  /** Shown in notifications and by clients that cannot show blocks. */
  text: string;
  blocks: SlackBlock[];
}

const slackLink = (url: string, label: string): string =>
  `<${url.replace(/[|>]/g, encodeURIComponent)}|${escapeSlack(label)}>`;

/**
 * A Slack incoming-webhook message: a header, the summary, the fields (ten per section), the
 * group, and a context line, each block within Block Kit's limits; `text` is the notification
 * fallback.
 */
export function renderSlackMessage(message: AlarmMessage): SlackMessage {
  const mrkdwn = (text: string, max: number): SlackText => ({ type: 'mrkdwn', text: truncateChars(text, max) });
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncateChars(`${badge(message)} ${headline(message)}`, LIMITS.slackHeader) },
    },
  ];
  // Escape first, then cut: a cut can only shorten an entity such as `&amp;` at the very end,
  // which Slack shows as text, never as markup.
  const summary = truncateChars(message.summary.trim(), CAPS.summary);
  if (summary) blocks.push({ type: 'section', text: mrkdwn(escapeSlack(summary), LIMITS.slackSection) });
  const fields = fieldsOf(message).map((f) =>
    mrkdwn(`*${escapeSlack(f.label)}*\n${escapeSlack(f.value)}`, LIMITS.slackField),
  );
  for (let i = 0; i < fields.length; i += LIMITS.slackFieldsPerSection) {
    blocks.push({ type: 'section', fields: fields.slice(i, i + LIMITS.slackFieldsPerSection) });
  }
  const { items } = groupOf(message);
  if (items.length > 0) {
    // Whole lines only (a cut link would show its markup), leaving room for the count line.
    const lines: string[] = [];
    let length = 0;
    for (const g of items) {
      const title = truncateChars(oneLine(g.title), CAPS.title);
      const url = httpUrl(g.url);
      const name = url ? slackLink(url, title) : `*${escapeSlack(title)}*`;
      const line = `${badge(g)} ${name} · ${KIND_LABEL[g.kind]} · ${SEVERITY_LABEL[g.severity]}`;
      if (length + line.length + 1 > LIMITS.slackSection - 30) break;
      lines.push(line);
      length += line.length + 1;
    }
    const more = (message.group?.length ?? 0) - lines.length;
    if (more > 0) lines.push(`…and ${more} more`);
    blocks.push({ type: 'section', text: mrkdwn(lines.join('\n'), LIMITS.slackSection) });
  }
  const context: SlackText[] = [
    { type: 'mrkdwn', text: truncateChars(escapeSlack(footer(message)), LIMITS.slackField) },
  ];
  const dashboard = httpUrl(message.links?.dashboardUrl);
  if (dashboard) context.push({ type: 'mrkdwn', text: slackLink(dashboard, 'Open in Sluice') });
  blocks.push({ type: 'context', elements: context });

  const fallback = summary ? `${headline(message)}: ${oneLine(summary)}` : headline(message);
  return { text: truncateChars(escapeSlack(fallback), LIMITS.slackText), blocks: blocks.slice(0, LIMITS.slackBlocks) };
}

// ---------------------------------------------------------------------------------------------
// DingTalk and WeCom (markdown robots)

const MD_TRUNCATED = '*…truncated*';

function markdownBlocks(message: AlarmMessage, severity: string): Block[] {
  const title = escapeMarkdown(truncateChars(oneLine(message.title), CAPS.title));
  const count = message.group && message.group.length > 1 ? ` (+${message.group.length - 1} more)` : '';
  const blocks: Block[] = [`### ${badge(message)} ${title}${count}`, `**${KIND_LABEL[message.kind]}** · ${severity}`];
  const summary = truncateChars(message.summary.trim(), CAPS.summary);
  // Each summary line becomes a paragraph: both robots merge single newlines.
  for (const line of summary.split(/\n+/)) {
    if (line.trim()) blocks.push({ text: line.trim(), render: escapeMarkdownLine });
  }
  for (const f of fieldsOf(message)) {
    const label = escapeMarkdown(f.label);
    blocks.push({ text: oneLine(f.value), render: (value) => `- **${label}:** ${escapeMarkdown(value)}` });
  }
  const { items, more } = groupOf(message);
  for (const g of items) {
    const title = escapeMarkdown(truncateChars(oneLine(g.title), CAPS.title));
    const url = httpUrl(g.url);
    const name = url ? `[${title}](${markdownUrl(url)})` : title;
    blocks.push(`- ${badge(g)} ${name} · ${KIND_LABEL[g.kind]} · ${SEVERITY_LABEL[g.severity]}`);
  }
  if (more > 0) blocks.push(`…and ${more} more`);
  const dashboard = httpUrl(message.links?.dashboardUrl);
  if (dashboard) blocks.push(`[Open in Sluice](${markdownUrl(dashboard)})`);
  return blocks;
}

/**
 * The markdown both robots get, within their byte limit. The footer is kept whatever is cut: it
 * names Sluice, the keyword a DingTalk robot with keyword security can be set to require.
 */
function markdownText(message: AlarmMessage, severity: string): string {
  const tail = `\n\n###### ${escapeMarkdown(footer(message))}`;
  const budget = LIMITS.markdownBytes - utf8Length(tail);
  return fitBlocks(markdownBlocks(message, severity), '\n\n', budget, MD_TRUNCATED) + tail;
}

/** DingTalk robot `markdown` message; `text` fits in 4096 UTF-8 bytes. */
export interface DingTalkMessage {
  msgtype: 'markdown';
  markdown: { title: string; text: string };
}

/** A DingTalk robot markdown message; `title` is the plain-text notification preview. */
export function renderDingTalkMessage(message: AlarmMessage): DingTalkMessage {
  const severity = `Severity: ${SEVERITY_LABEL[message.severity]}`;
  const text = markdownText(message, severity);
  // The title is what the notification preview shows: plain text, never markup.
  return { msgtype: 'markdown', markdown: { title: truncateChars(headline(message), 100), text } };
}

/** WeCom group robot `markdown` message; `content` fits in 4096 UTF-8 bytes. */
export interface WeComMessage {
  msgtype: 'markdown';
  markdown: { content: string };
}

/** A WeCom group robot markdown message, severity in WeCom's named font colours. */
export function renderWeComMessage(message: AlarmMessage): WeComMessage {
  // WeCom colours only through its three named font colours.
  const color = message.kind === 'RESOLVED' ? 'info' : message.severity === 'INFO' ? 'comment' : 'warning';
  const severity = `Severity: <font color="${color}">${SEVERITY_LABEL[message.severity]}</font>`;
  return {
    msgtype: 'markdown',
    markdown: { content: markdownText(message, severity) },
  };
}

// ---------------------------------------------------------------------------------------------
// Feishu / Lark custom bot

/** How a Feishu channel shows messages: a card (`interactive`) or rich text (`post`). */
export type FeishuFormat = 'INTERACTIVE' | 'POST';

/** The body of a Feishu custom bot request, before the optional signature fields. */
export type FeishuMessage =
  | { msg_type: 'interactive'; card: Record<string, unknown> }
  | { msg_type: 'post'; content: { post: { zh_cn: { title: string; content: Record<string, string>[][] } } } };

const FEISHU_TEMPLATE: Record<AlarmSeverity, string> = { CRITICAL: 'red', WARNING: 'orange', INFO: 'blue' };

/** Caps for each try: a message over the body limit is rendered again with the next, tighter one. */
const FEISHU_LEVELS = [
  { summary: CAPS.summary, fieldValue: CAPS.fieldValue, fields: CAPS.fields, group: CAPS.group },
  { summary: 1000, fieldValue: 200, fields: 10, group: 10 },
  { summary: 300, fieldValue: 80, fields: 5, group: 3 },
  { summary: 100, fieldValue: 40, fields: 0, group: 0 },
];

/**
 * The card or post a Feishu custom bot shows. All alarm text goes in `plain_text` elements and
 * `text` tags, which Feishu shows verbatim, so nothing needs markdown escaping.
 */
export function renderFeishuMessage(message: AlarmMessage, format: FeishuFormat = 'INTERACTIVE'): FeishuMessage {
  let body: FeishuMessage | undefined;
  for (const level of FEISHU_LEVELS) {
    body = format === 'POST' ? feishuPost(message, level) : feishuCard(message, level);
    if (utf8Length(JSON.stringify(body)) <= LIMITS.feishuBodyBytes - 200) return body;
  }
  return body!;
}

type FeishuLevel = (typeof FEISHU_LEVELS)[number];

function cappedParts(message: AlarmMessage, level: FeishuLevel) {
  const { items, more } = groupOf(message);
  return {
    summary: truncateChars(message.summary.trim(), level.summary),
    fields: fieldsOf(message)
      .slice(0, level.fields)
      .map((f) => ({ label: f.label, value: truncateChars(f.value, level.fieldValue) })),
    group: items.slice(0, level.group),
    more: more + items.length - Math.min(items.length, level.group),
    dashboard: httpUrl(message.links?.dashboardUrl),
  };
}

function feishuCard(message: AlarmMessage, level: FeishuLevel): FeishuMessage {
  const parts = cappedParts(message, level);
  const plain = (content: string) => ({ tag: 'plain_text', content });
  const elements: Record<string, unknown>[] = [];
  if (parts.summary) elements.push({ tag: 'div', text: plain(parts.summary) });
  if (parts.fields.length > 0) {
    elements.push({
      tag: 'div',
      fields: parts.fields.map((f) => ({ is_short: f.value.length <= 40, text: plain(`${f.label}\n${f.value}`) })),
    });
  }
  if (parts.group.length > 0) {
    const lines = parts.group.map(
      (g) =>
        `${badge(g)} ${truncateChars(oneLine(g.title), CAPS.title)} · ${KIND_LABEL[g.kind]} · ${SEVERITY_LABEL[g.severity]}`,
    );
    if (parts.more > 0) lines.push(`…and ${parts.more} more`);
    elements.push({ tag: 'hr' }, { tag: 'div', text: plain(lines.join('\n')) });
  }
  if (parts.dashboard) {
    elements.push({
      tag: 'action',
      actions: [{ tag: 'button', text: plain('Open in Sluice'), type: 'primary', url: parts.dashboard }],
    });
  }
  elements.push({ tag: 'note', elements: [plain(footer(message))] });
  const template =
    message.kind === 'RESOLVED' ? 'green' : message.kind === 'TEST' ? 'grey' : FEISHU_TEMPLATE[message.severity];
  return {
    msg_type: 'interactive',
    card: {
      config: { wide_screen_mode: true },
      header: { title: plain(`${badge(message)} ${headline(message)}`), template },
      elements,
    },
  };
}

function feishuPost(message: AlarmMessage, level: FeishuLevel): FeishuMessage {
  const parts = cappedParts(message, level);
  const text = (t: string) => ({ tag: 'text', text: t });
  const content: Record<string, string>[][] = [];
  for (const line of parts.summary.split('\n')) if (line.trim()) content.push([text(line.trim())]);
  for (const f of parts.fields) content.push([text(`${f.label}: ${oneLine(f.value)}`)]);
  for (const g of parts.group) {
    const url = httpUrl(g.url);
    const label = `${badge(g)} ${truncateChars(oneLine(g.title), CAPS.title)}`;
    const rest = ` · ${KIND_LABEL[g.kind]} · ${SEVERITY_LABEL[g.severity]}`;
    content.push(url ? [{ tag: 'a', text: label, href: url }, text(rest)] : [text(label + rest)]);
  }
  if (parts.more > 0) content.push([text(`…and ${parts.more} more`)]);
  if (parts.dashboard) content.push([{ tag: 'a', text: 'Open in Sluice', href: parts.dashboard }]);
  content.push([text(footer(message))]);
  return {
    msg_type: 'post',
    content: { post: { zh_cn: { title: `${badge(message)} ${headline(message)}`, content } } },
  };
}

// ---------------------------------------------------------------------------------------------
// E-mail

/** An e-mail's subject and its two alternative bodies. */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const SEVERITY_COLOR: Record<AlarmSeverity, string> = { CRITICAL: '#d03050', WARNING: '#f0a020', INFO: '#2080f0' };

/** Subject, plain-text and HTML bodies of the alarm e-mail; all alarm text is HTML-escaped. */
export function renderEmail(message: AlarmMessage): EmailContent {
  const subject = truncateChars(oneLine(headline(message)), LIMITS.emailSubject);
  const fields = fieldsOf(message);
  const { items, more } = groupOf(message);
  const dashboard = httpUrl(message.links?.dashboardUrl);
  const summary = truncateChars(message.summary.trim(), CAPS.summary);

  const text: string[] = [headline(message), ''];
  if (summary) text.push(summary, '');
  for (const f of fields) text.push(`${f.label}: ${oneLine(f.value)}`);
  if (fields.length > 0) text.push('');
  for (const g of items) {
    text.push(`- ${headlineOf(g)}${httpUrl(g.url) ? ` <${httpUrl(g.url)}>` : ''}`);
  }
  if (more > 0) text.push(`…and ${more} more`);
  if (items.length > 0) text.push('');
  if (dashboard) text.push(`Open in Sluice: ${dashboard}`, '');
  text.push('--', footer(message));

  const color = message.kind === 'RESOLVED' ? '#18a058' : SEVERITY_COLOR[message.severity];
  const html: string[] = [
    '<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2225">',
    `<h2 style="border-left:4px solid ${color};padding-left:8px">${escapeHtml(`${badge(message)} ${headline(message)}`)}</h2>`,
  ];
  if (summary) html.push(`<p style="white-space:pre-wrap">${escapeHtml(summary)}</p>`);
  if (fields.length > 0) {
    html.push('<table style="border-collapse:collapse">');
    for (const f of fields) {
      html.push(
        `<tr><th style="text-align:left;padding:2px 12px 2px 0;vertical-align:top">${escapeHtml(f.label)}</th>` +
          `<td style="padding:2px 0;white-space:pre-wrap">${escapeHtml(f.value)}</td></tr>`,
      );
    }
    html.push('</table>');
  }
  if (items.length > 0) {
    html.push('<ul>');
    for (const g of items) {
      const url = httpUrl(g.url);
      const label = escapeHtml(headlineOf(g));
      html.push(`<li>${url ? `<a href="${escapeHtml(url)}">${label}</a>` : label}</li>`);
    }
    if (more > 0) html.push(`<li>…and ${more} more</li>`);
    html.push('</ul>');
  }
  if (dashboard) html.push(`<p><a href="${escapeHtml(dashboard)}">Open in Sluice</a></p>`);
  html.push(`<p style="color:#767c82;font-size:12px">${escapeHtml(footer(message))}</p>`, '</body></html>');
  return { subject, text: text.join('\n'), html: html.join('\n') };
}

const headlineOf = (g: AlarmGroupItem): string =>
  `${badge(g)} ${truncateChars(oneLine(g.title), CAPS.title)} · ${KIND_LABEL[g.kind]} · ${SEVERITY_LABEL[g.severity]} · ${utc(g.occurredAt)}`;
