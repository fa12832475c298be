import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { PluginOptions } from '../../plugin.js';
import { decoderFor, encoderFor, readEncoding } from './file-options.js';

const options = (raw: Record<string, string>) => new PluginOptions('LocalFile', raw);

describe('file encodings (iconv-lite)', () => {
  it('accepts Java and WHATWG names, defaults to UTF-8, and names the option for an unknown one', () => {
    expect(readEncoding(options({}))).toBe('utf-8');
    for (const name of ['GBK', 'gb18030', 'Big5', 'Shift_JIS', 'EUC-KR', 'ISO-8859-1', 'windows-1252', 'UTF-16LE']) {
      expect(readEncoding(options({ encoding: name }))).toBe(name);
    }
    expect(() => readEncoding(options({ encoding: 'ebcdic-klingon' }))).toThrow(
      'LocalFile: option "encoding" "ebcdic-klingon" is not an encoding the embedded engine knows',
    );
  });

  it('decodes a stream fed one byte at a time, multi-byte characters split across chunks', () => {
    const text = '你好，世界 GBK"字符﨎" abc\n';
    for (const encoding of ['gbk', 'gb18030', 'utf-8', 'utf-16le', 'big5']) {
      const bytes = iconv.encode(text.replace('﨎', encoding === 'big5' ? '' : '﨎'), encoding);
      const decoder = decoderFor(encoding);
      let out = '';
      for (const byte of bytes) out += decoder.decode(Buffer.from([byte]), { stream: true });
      out += decoder.decode();
      expect(out, encoding).toBe(iconv.decode(bytes, encoding));
    }
  });

  it('ISO-8859-1 is byte = code point (not windows-1252)', () => {
    expect(decoderFor('ISO-8859-1').decode(Buffer.from([0x80, 0xe9]))).toBe('\u0080é');
    expect(encoderFor('ISO-8859-1')('\u0080é')).toEqual(Buffer.from([0x80, 0xe9]));
  });

  it('refuses a character the encoding cannot hold instead of writing "?", and lets real "?" through', () => {
    const gbk = encoderFor('GBK');
    expect(gbk('what? 你好?')).toEqual(iconv.encode('what? 你好?', 'gbk'));
    expect(() => gbk('ok ₩ no')).toThrow('the character "₩" cannot be written in GBK (option "encoding")');
    expect(() => encoderFor('ISO-8859-1')('price? 5 €')).toThrow(
      'the character "€" cannot be written in ISO-8859-1 (option "encoding")',
    );
    expect(() => encoderFor('Shift_JIS')('😀')).toThrow('the character "😀" cannot be written in Shift_JIS');
  });
});
