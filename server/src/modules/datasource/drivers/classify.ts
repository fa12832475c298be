import { AppError, isAppError } from '../../../errors.js';
import type { TestErrorCode, TestResult } from './driver.js';

/** Where a database driver tried to connect; the password is only used to mask it out of messages. */
export interface ConnectionTarget {
  host: string;
  port: number;
  database?: string;
  user: string;
  password?: string;
  connectTimeoutSeconds?: number;
}

export interface ClassifiedError {
  code: TestErrorCode;
  message: string;
}

/** Errors with these codes arise while a TLS session is set up or its certificate is checked. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
  'EPROTO',
  // mysql2: the server has no TLS / the TLS handshake failed (it replaces the certificate code with this one).
  'HANDSHAKE_NO_SSL_SUPPORT',
  'HANDSHAKE_SSL_ERROR',
]);

/** PostgreSQL SQLSTATEs (five characters) and MySQL/MariaDB error names and numbers. */
const AUTHENTICATION = new Set(['28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR']);
const AUTHENTICATION_ERRNO = new Set([1045, 1698]);
const DATABASE_NOT_FOUND = new Set(['3D000', 'ER_BAD_DB_ERROR']);
const DATABASE_NOT_FOUND_ERRNO = new Set([1049]);
const PERMISSION = new Set(['42501', 'ER_DBACCESS_DENIED_ERROR']);
const PERMISSION_ERRNO = new Set([1044]);

interface DriverErrorShape {
  message: string;
  code?: string;
  errno?: number;
}

/**
 * Node's happy-eyeballs connect reports an AggregateError (empty message) when every address of a
 * host failed; its first inner error says why.
 */
function shape(err: unknown): DriverErrorShape {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown; errno?: unknown; errors?: unknown };
  const inner = Array.isArray(e.errors) && e.errors[0] instanceof Error ? shape(e.errors[0]) : undefined;
  return {
    message: e.message || inner?.message || e.name,
    code: typeof e.code === 'string' ? e.code : inner?.code,
    errno: typeof e.errno === 'number' ? e.errno : inner?.errno,
  };
}

/**
 * Turns what node-postgres or mysql2 threw into a code and a message a user can act on. Every
 * message has the password (plain and URL-encoded) replaced by `***`, whatever the driver said.
 */
export function classifyConnectionError(err: unknown, target: ConnectionTarget): ClassifiedError {
  const { code, message } = classify(shape(err), target);
  return { code, message: maskSecret(message, target.password) };
}

function classify({ message, code, errno }: DriverErrorShape, t: ConnectionTarget): ClassifiedError {
  const address = `${t.host}:${t.port}`;
  const hasSqlErrno = code?.startsWith('ER_') || (errno !== undefined && errno > 0);
  // The server's own errors are told apart by their code; the message tests below are for client-side errors.
  // (A SQLSTATE is five characters; no class starts with E, unlike Node's EPIPE.)
  const fromClient = !hasSqlErrno && !(code !== undefined && /^(?!E)[0-9A-Z]{5}$/.test(code));
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return { code: 'HOST_NOT_FOUND', message: `Host ${t.host} not found: check the host name (and this server's DNS)` };
  }
  if (code === 'ECONNREFUSED') {
    return {
      code: 'CONNECTION_REFUSED',
      message: `Nothing accepts connections on ${address}: check the host and port, and that the database server is running`,
    };
  }
  // node-postgres' query_timeout, PostgreSQL's statement_timeout, mysql2's query timeout.
  if (code === '57014' || code === 'PROTOCOL_SEQUENCE_TIMEOUT' || /query read timeout/i.test(message)) {
    return { code: 'TIMEOUT', message: `A catalog query on ${address} took too long and was cancelled` };
  }
  if (code === 'ETIMEDOUT' || (fromClient && /timeout expired|connection timeout|timed out/i.test(message))) {
    const within = t.connectTimeoutSeconds ? ` within ${t.connectTimeoutSeconds} s` : '';
    return {
      code: 'TIMEOUT',
      message: `${address} did not answer${within}: check the host and port, and that no firewall drops the traffic`,
    };
  }
  if (/does not support SSL|does not support secure conn/i.test(message) || code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return {
      code: 'TLS_FAILURE',
      message: `${address} does not support TLS connections: choose an sslMode that allows unencrypted connections, or enable TLS on the server`,
    };
  }
  if (
    (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))) ||
    (fromClient && isCertMessage(message))
  ) {
    return {
      code: 'TLS_FAILURE',
      message: `TLS with ${address} failed: ${message}. Check the server's certificate, or choose an sslMode that does not verify it`,
    };
  }
  if ((code && AUTHENTICATION.has(code)) || (hasSqlErrno && AUTHENTICATION_ERRNO.has(errno!))) {
    return {
      code: 'AUTHENTICATION_FAILED',
      message: `User ${t.user} could not sign in to ${address} (${message}): check the user and password`,
    };
  }
  if ((code && DATABASE_NOT_FOUND.has(code)) || (hasSqlErrno && DATABASE_NOT_FOUND_ERRNO.has(errno!))) {
    return { code: 'DATABASE_NOT_FOUND', message: `Database ${t.database ?? ''} does not exist on ${address}` };
  }
  if ((code && PERMISSION.has(code)) || (hasSqlErrno && PERMISSION_ERRNO.has(errno!))) {
    return {
      code: 'PERMISSION_DENIED',
      message: `User ${t.user} lacks a privilege on ${address} (${message}): grant it, or use another user`,
    };
  }
  return { code: 'UNKNOWN', message };
}

const isCertMessage = (message: string) => /certificate|self[- ]signed/i.test(message);

/** Replaces every occurrence of the secret (and its URL-encoded form) by `***`. */
export function maskSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  let masked = text.split(secret).join('***');
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) masked = masked.split(encoded).join('***');
  return masked;
}

/** The AppError a catalog call throws for a problem of the datasource (the service shows its message as is). */

/**
 * An AppError for a datasource problem; `extensions.reason` carries the finer TestErrorCode. The
 * driver's own error is deliberately not attached as `cause`: the message is already masked, the
 * raw error is not and could end up in a log.
 */
export function datasourceError(error: ClassifiedError, extensions: Record<string, unknown> = {}): AppError {
  // "Does not exist" is NOT_FOUND; every other problem (connection, credentials, TLS, a path outside
  // the roots) is the datasource's, not the caller's role: DATASOURCE_UNAVAILABLE, never FORBIDDEN.
  const code =
    error.code === 'NOT_FOUND' || error.code === 'DATABASE_NOT_FOUND' ? 'NOT_FOUND' : 'DATASOURCE_UNAVAILABLE';
  return new AppError(code, error.message, { ...extensions, reason: error.code });
}

/**
 * Runs `work` on a fresh connection opened by `open` and always closed by `close`. Connection
 * problems and classified query errors become AppErrors with a masked message; anything
 * unexpected is rethrown as is (a bug to log, not to show).
 */
export async function withConnection<C, T>(
  target: ConnectionTarget,
  open: () => Promise<C>,
  close: (connection: C) => Promise<void>,
  work: (connection: C) => Promise<T>,
): Promise<T> {
  let connection: C;
  try {
    connection = await open();
  } catch (err) {
    throw datasourceError(classifyConnectionError(err, target));
  }
  try {
    return await work(connection);
  } catch (err) {
    if (isAppError(err)) throw err;
    const classified = classifyConnectionError(err, target);
    if (classified.code === 'UNKNOWN') throw err;
    throw datasourceError(classified);
  } finally {
    await close(connection);
  }
}

/**
 * A connection test: opens, asks the server its version, always closes. Connection problems are
 * the result (classified), never thrown. `latencyMs` covers the connect and the query.
 */
export async function testConnection<C>(
  target: ConnectionTarget,
  open: () => Promise<C>,
  close: (connection: C) => Promise<void>,
  version: (connection: C) => Promise<string | null>,
): Promise<TestResult> {
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  let connection: C | undefined;
  try {
    connection = await open();
    const serverVersion = await version(connection);
    return { ok: true, latencyMs: elapsed(), serverVersion, error: null };
  } catch (err) {
    return { ok: false, latencyMs: elapsed(), serverVersion: null, error: classifyConnectionError(err, target) };
  } finally {
    if (connection !== undefined) await close(connection);
  }
}
