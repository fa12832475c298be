/**
 * Escaping and truncation shared by the channel renderers. Platforms count their limits
 * differently (Slack in characters, DingTalk and WeCom in UTF-8 bytes), and a cut must never split
 * a character, a surrogate pair or an escape sequence.
 */

const ELLIPSIS = '…';

/** The length of `text` in UTF-8 bytes. */
export const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/** At most `max` code points of `text`; a cut one ends with `…` (counted in `max`). */
export function truncateChars(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return points.slice(0, Math.max(0, max - 1)).join('') + ELLIPSIS;
}

/** At most `maxBytes` UTF-8 bytes of `text`, cut between code points; a cut one ends with `…`. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Length(ELLIPSIS);
  let used = 0;
  let out = '';
  for (const point of text) {
    const size = utf8Length(point);
    if (used + size > budget) break;
    used += size;
    out += point;
  }
  return out + ELLIPSIS;
}

/** One line: runs of whitespace (newlines included) become one space. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * Backslash-escapes what would turn plain text into inline markdown: emphasis, code,
 * strike-through, link and image openers, HTML tags. Characters that only matter elsewhere (`]`,
 * `>` or `#` mid-line) are left alone, so little text carries backslashes on a renderer that
 * shows them.
 */
export const escapeMarkdown = (text: string): string => text.replace(/[\\`*_[<~]/g, (c) => `\\${c}`);

/** {@link escapeMarkdown} for text that starts a line: a heading, quote or list marker is escaped too. */
export const escapeMarkdownLine = (text: string): string => escapeMarkdown(text).replace(/^([#>+-])/, (c) => `\\${c}`);

/** Slack's mrkdwn needs only these three escaped; everything else is shown as is. */
export const escapeSlack = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Text for HTML element content and double- or single-quoted attributes. */
export const escapeHtml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** `url` when it is an absolute http(s) URL, else undefined: only such links are rendered. */
export function httpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** A URL that cannot close a markdown link early: parentheses, spaces and angle brackets encoded. */
export const markdownUrl = (url: string): string =>
  url.replace(/[()<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/**
 * A piece of markup for {@link fitBlocks}: finished markup, which is kept whole or dropped, or
 * plain text with its renderer, which may be shortened (before rendering) to use the room left.
 */
export type Block = string | { text: string; render: (text: string) => string };

/**
 * Joins blocks with `separator` while the result fits in `maxBytes`. The first block that does not
 * fit is shortened when it is text, dropped when it is markup, and `marker` ends the result.
 * Shortening happens before escaping, so no escape sequence, tag or link is ever cut.
 */
export function fitBlocks(blocks: Block[], separator: string, maxBytes: number, marker: string): string {
  let out = '';
  for (const [index, block] of blocks.entries()) {
    const prefix = index === 0 ? '' : `${out}${separator}`;
    const rendered = typeof block === 'string' ? block : block.render(block.text);
    const reserve = index === blocks.length - 1 ? 0 : utf8Length(separator + marker);
    if (utf8Length(prefix + rendered) + reserve <= maxBytes) {
      out = prefix + rendered;
      continue;
    }
    const room = maxBytes - utf8Length(prefix + separator + marker);
    const shortened = typeof block === 'string' ? undefined : longestFitting(block, room);
    if (shortened !== undefined) return `${prefix}${shortened}${separator}${marker}`;
    if (index === 0) return truncateBytes(rendered, maxBytes);
    return `${prefix}${marker}`;
  }
  return out;
}

/** The longest rendering of a cut of `block.text` within `room` bytes; undefined if none shows any text. */
function longestFitting(block: Exclude<Block, string>, room: number): string | undefined {
  const points = Array.from(block.text).length;
  let low = 2; // one code point and the ellipsis
  let high = points - 1;
  let best: string | undefined;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const rendered = block.render(truncateChars(block.text, middle));
    if (utf8Length(rendered) <= room) {
      best = rendered;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}
