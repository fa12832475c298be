import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const key = randomBytes(32);

  it('round-trips, with a fresh IV every time (the same secret never seals the same)', () => {
    const box = new SecretBox([key]);
    const a = box.seal('p@ss wörd 🚀', 'datasource:1');
    const b = box.seal('p@ss wörd 🚀', 'datasource:1');
    expect(a.equals(b)).toBe(false);
    expect(box.open(a, 'datasource:1')).toBe('p@ss wörd 🚀');
    expect(a.includes(Buffer.from('p@ss'))).toBe(false);
  });

  it('refuses a value moved to another row, a tampered value, and a value sealed under another key', () => {
    const box = new SecretBox([key]);
    const sealed = box.seal('secret', 'datasource:1');
    expect(() => box.open(sealed, 'datasource:2')).toThrow(/integrity check/);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => box.open(tampered, 'datasource:1')).toThrow(/integrity check/);
    expect(() => new SecretBox([randomBytes(32)]).open(sealed, 'datasource:1')).toThrow(/another key/);
    expect(() => box.open(Buffer.from('plain text'), 'datasource:1')).toThrow(/unknown format/);
  });

  it('opens values of every key it holds but seals with the first (rotation)', () => {
    const old = new SecretBox([key]);
    const next = randomBytes(32);
    const rotating = new SecretBox([next, key]);
    const before = old.seal('s', 'c');
    expect(rotating.isCurrent(before)).toBe(false);
    expect(rotating.open(before, 'c')).toBe('s');
    const after = rotating.seal('s', 'c');
    expect(rotating.isCurrent(after)).toBe(true);
    expect(new SecretBox([next]).open(after, 'c')).toBe('s');
  });
});
