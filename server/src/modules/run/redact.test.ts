import { describe, expect, it } from 'vitest';
import { MASK, Redactor, redactPatterns } from './redact.js';

describe('Redactor: given secrets', () => {
  it('replaces every occurrence of every secret', () => {
    const r = new Redactor(['hunter22', 'Tr0ub4dor&3']);
    expect(r.redact('login with hunter22, then hunter22 again; also Tr0ub4dor&3.')).toBe(
      `login with ${MASK}, then ${MASK} again; also ${MASK}.`,
    );
  });

  it('is case-sensitive and leaves text without secrets unchanged', () => {
    const r = new Redactor(['Sesame42']);
    expect(r.redact('sesame42 is not it')).toBe('sesame42 is not it');
    const plain = 'read 1000 rows from orders in 12 ms';
    expect(r.redact(plain)).toBe(plain);
  });

  it('ignores secrets shorter than 4 characters', () => {
    const r = new Redactor(['abc', '', 'x', 'long-enough']);
    expect(r.redact('abc x long-enough')).toBe(`abc x ${MASK}`);
  });

  it('prefers the longest secret and masks overlapping ones whole', () => {
    const r = new Redactor(['abcd', 'abcdefgh', 'efghijkl']);
    // abcdefgh and efghijkl overlap: the whole stretch is one mask, nothing leaks.
    expect(r.redact('[abcdefghijkl]')).toBe(`[${MASK}]`);
    expect(r.redact('[abcdxyz]')).toBe(`[${MASK}xyz]`);
    expect(r.redact('[abcdefgh]')).toBe(`[${MASK}]`);
  });

  it('masks secrets made of regex metacharacters literally', () => {
    const r = new Redactor(['a.b*c+d?(e)[f]{g}|h^$\\']);
    expect(r.redact('x a.b*c+d?(e)[f]{g}|h^$\\ y')).toBe(`x ${MASK} y`);
    expect(r.redact('x aXb*c+d y')).toBe('x aXb*c+d y');
  });

  it('masks the URL-encoded, JSON-escaped and base64 forms', () => {
    const secret = 'p@ss w/rd"1';
    const r = new Redactor([secret]);
    expect(r.redact(`q=${encodeURIComponent(secret)}&x=1`)).toBe(`q=${MASK}&x=1`);
    expect(r.redact(`form ${encodeURIComponent(secret).replace(/%20/g, '+')} end`)).toBe(`form ${MASK} end`);
    expect(r.redact(`lower ${encodeURIComponent(secret).toLowerCase()} end`)).toBe(`lower ${MASK} end`);
    expect(r.redact(`json ${JSON.stringify({ v: secret })}`)).toBe(`json {"v":"${MASK}"}`);
    expect(r.redact(`b64 ${Buffer.from(secret).toString('base64')}`)).toBe(`b64 ${MASK}=`);
  });

  it('handles non-ASCII secrets', () => {
    const r = new Redactor(['pässwörd🚀']);
    expect(r.redact('x pässwörd🚀 y')).toBe(`x ${MASK} y`);
  });

  it('handles many secrets quickly (10k lines well under a second)', () => {
    const secrets = Array.from({ length: 500 }, (_, i) => `secret-value-${i}-${(i * 7919).toString(36)}`);
    const r = new Redactor(secrets);
    const lines = Array.from(
      { length: 10_000 },
      (_, i) => `2026-11-24 INFO reader ${i}: read ${i * 13} rows from table_${i % 17} (${secrets[i % 997] ?? 'none'})`,
    );
    const started = performance.now();
    let masked = 0;
    for (const line of lines) if (r.redact(line).includes(MASK)) masked++;
    const ms = performance.now() - started;
    expect(masked).toBe(lines.filter((_, i) => i % 997 < 500).length);
    expect(ms).toBeLessThan(1000);
  });
});

describe('redactPatterns: whatever the secrets', () => {
  it('masks the password of a URL', () => {
    expect(redactPatterns('connecting to postgres://app:s3cret@db:5432/x')).toBe(
      `connecting to postgres://app:${MASK}@db:5432/x`,
    );
    expect(redactPatterns('jdbc:mysql://root:p@ss@host/db ok')).toBe(`jdbc:mysql://root:${MASK}@host/db ok`);
    expect(redactPatterns('http://host:8080/path/user@x stays')).toBe('http://host:8080/path/user@x stays');
    expect(redactPatterns('https://example.com/a?b=c')).toBe('https://example.com/a?b=c');
  });

  it('masks password/secret/token/key values in key=value and key: value text', () => {
    expect(redactPatterns('password=abc123 user=bob')).toBe(`password=${MASK} user=bob`);
    expect(redactPatterns('DB_PASSWORD = "x y z", next')).toBe(`DB_PASSWORD = "${MASK}", next`);
    expect(redactPatterns("client_secret='q'")).toBe(`client_secret='${MASK}'`);
    expect(redactPatterns('accessToken: eyJhbGci.xyz;')).toBe(`accessToken: ${MASK};`);
    expect(redactPatterns('aws_access_key_id=AKIA123 aws_secret_access_key=zzz')).toBe(
      `aws_access_key_id=${MASK} aws_secret_access_key=${MASK}`,
    );
    expect(redactPatterns('?api_key=k1&apikey=k2&x=1')).toBe(`?api_key=${MASK}&apikey=${MASK}&x=1`);
    expect(redactPatterns('run --password hunter2 --user bob')).toBe(`run --password ${MASK} --user bob`);
  });

  it('masks JSON pairs, keeping the JSON valid', () => {
    const text = JSON.stringify({ user: 'bob', password: 'a"b\\c', nested: { Secret_Key: 'k', apiToken: 'tok' } });
    const out = redactPatterns(text);
    expect(JSON.parse(out)).toEqual({ user: 'bob', password: MASK, nested: { Secret_Key: MASK, apiToken: MASK } });
  });

  it('masks HOCON-style settings of a job config', () => {
    expect(redactPatterns('    password = "pa55"\n    username = "root"')).toBe(
      `    password = "${MASK}"\n    username = "root"`,
    );
  });

  it('masks bearer tokens and Authorization headers', () => {
    expect(redactPatterns('Authorization: Bearer abc.def.ghi')).toBe(`Authorization: Bearer ${MASK}`);
    expect(redactPatterns('authorization: Basic dXNlcjpwYXNz')).toBe(`authorization: Basic ${MASK}`);
    expect(redactPatterns('sent bearer 0123456789abcdef')).toBe(`sent bearer ${MASK}`);
  });

  it('leaves ordinary log text alone', () => {
    const plain = 'job finished: read 10 rows, wrote 10 rows; basic checks passed (a:b, x=1)';
    expect(redactPatterns(plain)).toBe(plain);
  });

  it('is idempotent', () => {
    const once = new Redactor(['s3cret!!']).redact('password=s3cret!! url=pg://u:s3cret!!@h/db');
    expect(new Redactor(['s3cret!!']).redact(once)).toBe(once);
    expect(once).not.toContain('s3cret');
  });
});
