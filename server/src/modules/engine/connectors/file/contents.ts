/**
 * The byte contents of one input file: the file itself, gunzipped, or each member of a tar,
 * tar.gz or zip archive (`archive_compress_codec`), streamed in order. Tar and zip are read here
 * (a few dozen lines each: ustar/pax/GNU long names; zip stored and deflated members, no zip64,
 * no encryption) rather than through a dependency.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip, createInflateRaw } from 'node:zlib';

export type ArchiveCodec = 'none' | 'tar' | 'tar_gz' | 'zip' | 'gz';

export interface FileContent {
  /** The archive member's name, or undefined for the file itself. */
  member?: string;
  chunks: AsyncIterable<Buffer>;
}

/** A damaged or unsupported archive; the reader puts the file name in front. */
export class ArchiveError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'ArchiveError';
  }
}

/** Counts the raw file bytes read (the source's `bytes` metric). */
export interface ByteCounter {
  bytes: number;
}

function counted(stream: Readable, counter: ByteCounter): Readable {
  stream.on('data', (chunk: Buffer) => {
    counter.bytes += chunk.length;
  });
  return stream;
}

/**
 * The contents of `file`, one per archive member (or one for a plain file). Each content must be
 * read to its end, or abandoned, before the next is requested.
 */
export async function* fileContents(
  file: string,
  gzip: boolean,
  archive: ArchiveCodec,
  counter: ByteCounter,
  signal: AbortSignal,
): AsyncGenerator<FileContent> {
  if (archive === 'zip') {
    yield* zipMembers(file, counter, signal);
    return;
  }
  const raw = counted(createReadStream(file, { signal, highWaterMark: 256 * 1024 }), counter);
  const streams: Readable[] = [raw];
  let input: Readable = raw;
  if (gzip || archive === 'gz' || archive === 'tar_gz') {
    input = raw.pipe(createGunzip());
    raw.on('error', (err) => input.destroy(err));
    streams.push(input);
  }
  try {
    if (archive === 'tar' || archive === 'tar_gz') yield* tarMembers(input);
    else yield { chunks: input as AsyncIterable<Buffer> };
  } finally {
    for (const s of streams) s.destroy();
  }
}

// ------------------------------------------------------------------ byte reader

class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private done = false;
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.chunks.push(next.value);
    this.length += next.value.length;
    return true;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.length -= n;
    return out;
  }

  /** Exactly n bytes, null at a clean end, an error in the middle of a block. */
  async readExact(n: number): Promise<Buffer | null> {
    while (this.length < n) {
      if (!(await this.fill())) {
        if (this.length === 0) return null;
        throw new Error('unexpected end of data');
      }
    }
    return this.take(n);
  }

  async readUpTo(n: number): Promise<Buffer | null> {
    if (this.length === 0 && !(await this.fill())) return null;
    return this.take(Math.min(n, this.length));
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const chunk = await this.readUpTo(left);
      if (!chunk) throw new Error('unexpected end of data');
      left -= chunk.length;
    }
  }
}

// ------------------------------------------------------------------ tar

function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.subarray(0, end < 0 ? buffer.length : end).toString('utf8');
}

function tarNumber(field: Buffer): number {
  if (field[0]! & 0x80) {
    // base-256 (GNU) for sizes over 8 GiB
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = cString(field).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const length = Number(data.subarray(pos, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, pos + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    pos += length;
  }
  return records;
}

async function* tarMembers(input: AsyncIterable<Buffer>): AsyncGenerator<FileContent> {
  const reader = new ByteReader(input);
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  for (;;) {
    let header: Buffer | null;
    try {
      header = await reader.readExact(512);
    } catch {
      throw new ArchiveError('the tar archive is truncated');
    }
    if (!header || header.every((b) => b === 0)) return;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    if (sum !== tarNumber(header.subarray(148, 156))) throw new ArchiveError('not a tar archive (bad header checksum)');

    const type = String.fromCharCode(header[156]!);
    let size = tarNumber(header.subarray(124, 136));
    if (pax.size !== undefined) size = Number(pax.size);
    const padding = (512 - (size % 512)) % 512;
    const ustar = header.subarray(257, 262).toString('ascii') === 'ustar';
    const prefix = ustar ? cString(header.subarray(345, 500)) : '';
    const baseName = cString(header.subarray(0, 100));
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${baseName}` : baseName);

    try {
      if (type === 'L' || type === 'x' || type === 'g') {
        const data = (await reader.readExact(size + padding)) ?? Buffer.alloc(0);
        if (type === 'L') longName = cString(data.subarray(0, size));
        else if (type === 'x') pax = paxRecords(data.subarray(0, size));
        continue;
      }
      longName = undefined;
      pax = {};
      if (type === '0' || type === '\0' || type === '7') {
        const entry = { remaining: size };
        yield { member: name, chunks: limited(reader, entry) };
        if (entry.remaining > 0) await reader.skip(entry.remaining);
        await reader.skip(padding);
      } else {
        await reader.skip(size + padding);
      }
    } catch (err) {
      if (err instanceof Error && err.message === 'unexpected end of data') {
        throw new ArchiveError(`the tar archive is truncated (member "${name}")`);
      }
      throw err;
    }
  }
}

async function* limited(reader: ByteReader, entry: { remaining: number }): AsyncGenerator<Buffer> {
  while (entry.remaining > 0) {
    const chunk = await reader.readUpTo(entry.remaining);
    if (!chunk) throw new Error('unexpected end of data');
    entry.remaining -= chunk.length;
    yield chunk;
  }
}

// ------------------------------------------------------------------ zip

async function* zipMembers(file: string, counter: ByteCounter, signal: AbortSignal): AsyncGenerator<FileContent> {
  const handle = await open(file, 'r');
  const members: { name: string; method: number; flags: number; compressed: number; offset: number }[] = [];
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 22 + 65535);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ArchiveError('not a zip archive (no end of central directory)');
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff) throw new ArchiveError('zip64 archives are not supported');
    const cd = Buffer.alloc(cdSize);
    await handle.read(cd, 0, cdSize, cdOffset);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(pos) !== 0x02014b50) throw new ArchiveError('damaged zip central directory');
      const flags = cd.readUInt16LE(pos + 8);
      const method = cd.readUInt16LE(pos + 10);
      const compressed = cd.readUInt32LE(pos + 20);
      const nameLength = cd.readUInt16LE(pos + 28);
      const extraLength = cd.readUInt16LE(pos + 30);
      const commentLength = cd.readUInt16LE(pos + 32);
      const offset = cd.readUInt32LE(pos + 42);
      const name = cd.subarray(pos + 46, pos + 46 + nameLength).toString('utf8');
      pos += 46 + nameLength + extraLength + commentLength;
      if (!name.endsWith('/')) members.push({ name, method, flags, compressed, offset });
    }
    for (const m of members) {
      if (m.flags & 1) throw new ArchiveError(`member "${m.name}" is encrypted`);
      if (m.method !== 0 && m.method !== 8) {
        throw new ArchiveError(`member "${m.name}" uses compression method ${m.method} (only stored and deflate)`);
      }
      const local = Buffer.alloc(30);
      await handle.read(local, 0, 30, m.offset);
      if (local.readUInt32LE(0) !== 0x04034b50) throw new ArchiveError(`member "${m.name}" has a damaged header`);
      m.offset += 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    }
  } finally {
    await handle.close();
  }
  for (const m of members) {
    if (m.compressed === 0) {
      yield { member: m.name, chunks: (async function* (): AsyncGenerator<Buffer> {})() };
      continue;
    }
    const raw = counted(createReadStream(file, { start: m.offset, end: m.offset + m.compressed - 1, signal }), counter);
    const input = m.method === 8 ? raw.pipe(createInflateRaw()) : raw;
    if (input !== raw) raw.on('error', (err) => input.destroy(err));
    try {
      yield { member: m.name, chunks: input as AsyncIterable<Buffer> };
    } finally {
      raw.destroy();
      input.destroy();
    }
  }
}
