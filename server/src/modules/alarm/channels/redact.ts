/**
 * Keeps secrets out of what a delivery reports. Webhook URLs carry their tokens in the path
 * (Slack, Feishu) or the query (DingTalk, WeCom), so a URL is only ever shown as its origin, and
 * every text from a server or a library is scrubbed of the secret values before it is kept.
 */

const MASK = '***';
/** Shorter values would match ordinary words; no real secret is this short. */
const MIN_SECRET_LENGTH = 4;
/** Path segments at least this long are treated as tokens (`/services/T…/B…/<token>`, `/hook/<uuid>`). */
const MIN_PATH_TOKEN_LENGTH = 12;

/** `https://hooks.slack.com/***`: the origin only, which says where without saying how. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hidden = parsed.pathname !== '/' || parsed.search !== '' || parsed.username !== '';
    return hidden ? `${parsed.origin}/${MASK}` : parsed.origin;
  } catch {
    return MASK;
  }
}

/** Every string that must not appear in a report: the secret values and the token parts of URLs. */
export function secretStrings(secrets: Record<string, unknown>): string[] {
  const found = new Set<string>();
  const add = (value: string) => {
    if (value.length < MIN_SECRET_LENGTH) return;
    found.add(value);
    found.add(encodeURIComponent(value));
  };
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      add(value);
      addUrlParts(value, add);
    } else if (value && typeof value === 'object') {
      for (const inner of Object.values(value)) visit(inner);
    }
  };
  for (const value of Object.values(secrets)) visit(value);
  // Longest first, so a URL is replaced whole before its token would be.
  return [...found].sort((a, b) => b.length - a.length);
}

function addUrlParts(value: string, add: (part: string) => void): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
  if (url.username) add(decode(url.username));
  if (url.password) add(decode(url.password));
  for (const parameter of url.searchParams.values()) add(parameter);
  if (url.search.length > 1) add(url.search.slice(1));
  for (const segment of url.pathname.split('/')) {
    if (segment.length >= MIN_PATH_TOKEN_LENGTH) {
      add(segment);
      add(decode(segment));
    }
  }
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** `text` with each of `secrets` (from {@link secretStrings}) replaced by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out;
}
