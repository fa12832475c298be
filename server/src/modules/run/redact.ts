/**
 * Masks secrets in run log lines before they are stored.
 *
 * Two layers, applied in this order:
 * 1. The given secret values (task secrets, datasource passwords, ...), each also in its URL-encoded,
 *    JSON-escaped and base64 forms. Values shorter than {@link MIN_SECRET_LENGTH} characters are
 *    ignored: "abc" or "1" would mask far too much unrelated text (a 3-character password is not
 *    protected by redaction anyway). Every occurrence is found, overlapping ones included, and each
 *    maximal stretch covered by secrets becomes one {@link MASK}.
 * 2. Patterns masked whatever the list holds: the password of a URL (`scheme://user:PASSWORD@host`),
 *    `Bearer <token>`, an `Authorization:` header's credentials, and the value of key=value / key: value / JSON pairs whose key names a
 *    password, secret, token, api/access/secret/private key or credential (case-insensitive).
 *
 * The base64 form is matched only where the secret was encoded on its own (not as a part of a
 * longer encoded text, whose alignment differs).
 */

export const MASK = '******';
export const MIN_SECRET_LENGTH = 4;

/** Escapes one UTF-16 code unit for a non-unicode RegExp. */
function escapeUnit(unit: string): string {
  return /[A-Za-z0-9]/.test(unit) ? unit : `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  end: boolean;
}

/**
 * One alternation shaped as a prefix tree, so the regex engine picks the branch by the next
 * character instead of trying every secret at every position. At each node the longer
 * continuations come before "end here", so the longest secret starting at a position wins.
 */
function trieSource(words: Iterable<string>): string {
  const root: TrieNode = { children: new Map(), end: false };
  for (const word of words) {
    let node = root;
    // Code units, not code points: the regex is not in unicode mode.
    for (let i = 0; i < word.length; i++) {
      const unit = word[i]!;
      let next = node.children.get(unit);
      if (!next) node.children.set(unit, (next = { children: new Map(), end: false }));
      node = next;
    }
    node.end = true;
  }
  const emit = (node: TrieNode): string => {
    let chain = '';
    // Fold single-child chains into plain text: keeps nesting to the number of branch points.
    while (node.children.size === 1 && !node.end) {
      const [unit, child] = node.children.entries().next().value as [string, TrieNode];
      chain += escapeUnit(unit);
      node = child;
    }
    if (node.children.size === 0) return chain;
    const branches = [...node.children].map(([unit, child]) => escapeUnit(unit) + emit(child));
    const group = branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
    return chain + (node.end ? `(?:${group})?` : group);
  };
  return emit(root);
}

/** The forms a secret may take in a log line besides itself. */
function variantsOf(secret: string): string[] {
  const out = [secret];
  const encoded = encodeURIComponent(secret);
  out.push(
    encoded,
    encoded.replace(/%20/g, '+'),
    encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
  );
  out.push(JSON.stringify(secret).slice(1, -1));
  const base64 = Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, '');
  out.push(base64, base64.replace(/\+/g, '-').replace(/\//g, '_'));
  return out.filter((v) => v.length >= MIN_SECRET_LENGTH);
}

const KEY = String.raw`[\w.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[\w.-]*`;
const VALUE = String.raw`"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'|[^\s,;&"'}\]]+`;
/** key = value, key: value, "key": "value", key='value' (the value keeps its quotes). */
const PAIR = new RegExp(String.raw`(["']?)(${KEY})\1(\s*[:=]\s*)(${VALUE})`, 'gi');
/** --password value / --token=value on command lines. */
const FLAG = new RegExp(String.raw`(--${KEY})(\s+|=)(?!-)(${VALUE})`, 'gi');
/** scheme://user:password@host (the last @ of the authority ends the password). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)([^\s/?#]+)@/gi;
const BEARER = /\b(bearer)(\s+)[A-Za-z0-9._~+/-]{4,}=*/gi;
/** Authorization: Basic xxx, "authorization": "Digest xxx", ... */
const AUTHORIZATION =
  /\b(authorization["']?\s*[:=]\s*["']?(?:(?:basic|bearer|digest|token|negotiate)\s+)?)[^\s"',;]+/gi;

function maskValue(value: string): string {
  const q = value[0];
  return q === '"' || q === "'" ? `${q}${MASK}${q}` : MASK;
}

/** Masks the patterns of layer 2 (see the file comment), whatever secrets are known. */
export function redactPatterns(text: string): string {
  let out = text;
  if (out.includes('://')) out = out.replace(URL_PASSWORD, (_m, head: string) => `${head}${MASK}@`);
  out = out.replace(AUTHORIZATION, (_m, head: string) => `${head}${MASK}`);
  out = out.replace(BEARER, (_m, scheme: string, space: string) => `${scheme}${space}${MASK}`);
  out = out.replace(FLAG, (_m, flag: string, sep: string, value: string) => `${flag}${sep}${maskValue(value)}`);
  out = out.replace(
    PAIR,
    (_m, quote: string, key: string, sep: string, value: string) => `${quote}${key}${quote}${sep}${maskValue(value)}`,
  );
  return out;
}

export class Redactor {
  private readonly pattern: RegExp | undefined;

  constructor(secrets: Iterable<string>) {
    const words = new Set<string>();
    for (const secret of secrets) {
      if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
      for (const v of variantsOf(secret)) words.add(v);
    }
    this.pattern = words.size ? new RegExp(trieSource(words), 'g') : undefined;
  }

  /** The text with every known secret and secret-looking value replaced by {@link MASK}. */
  redact(text: string): string {
    return redactPatterns(this.pattern ? this.maskSecrets(text) : text);
  }

  private maskSecrets(text: string): string {
    const re = this.pattern!;
    re.lastIndex = 0;
    let m = re.exec(text);
    if (!m) return text;
    // Every match at every start (so overlapping secrets are all found), merged into stretches.
    let out = '';
    let copied = 0; // text[0, copied) is in out
    let start = m.index;
    let end = m.index + m[0].length;
    for (;;) {
      re.lastIndex = m.index + 1;
      m = re.exec(text);
      if (m && m.index <= end) {
        end = Math.max(end, m.index + m[0].length);
        continue;
      }
      out += text.slice(copied, start) + MASK;
      copied = end;
      if (!m) break;
      start = m.index;
      end = m.index + m[0].length;
    }
    return out + text.slice(copied);
  }
}
