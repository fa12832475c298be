import net from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  AndFilter,
  ApproximateFilter,
  Client,
  EqualityFilter,
  ExtensibleFilter,
  type Entry,
  type Filter,
  FilterParser,
  GreaterThanEqualsFilter,
  InappropriateAuthError,
  InvalidCredentialsError,
  LessThanEqualsFilter,
  NotFilter,
  OrFilter,
  SubstringFilter,
  UnwillingToPerformError,
} from 'ldapts';
import type { LdapConfig } from '../../config.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/** The directory part of the LDAP settings (config.ts documents each); the role map is the auth service's. */
export type LdapSettings = Omit<LdapConfig, 'roleMap'> & {
  /** Default true; false accepts any certificate (test servers only). */
  tlsRejectUnauthorized?: boolean;
};

export interface LdapIdentity {
  /** The user's DN as the directory spells it. */
  dn: string;
  /** The entry's `uid` when it has one, else the login as typed. */
  login: string;
  email: string | undefined;
  displayName: string | undefined;
  /** Group DNs, normalised with `normaliseDn`, sorted. */
  groups: string[];
}

/** Runs one LDAP step, turning any failure into LDAP_UNAVAILABLE. */
type Attempt = <R>(step: string, op: () => Promise<R>) => Promise<R>;

const USER_ATTRIBUTES = ['uid', 'mail', 'displayName', 'cn'];

/** The bind outcomes that mean "these credentials are not accepted", not "the directory is broken". */
const REFUSED_BIND = [InvalidCredentialsError, InappropriateAuthError, UnwillingToPerformError];

/**
 * Logs users in against an LDAP directory: search with the service account, then bind as the
 * user found. A fresh connection per call, so no bind state ever leaks between two logins.
 */
export class LdapDirectory {
  constructor(
    private readonly settings: LdapSettings,
    private readonly logger: Logger,
  ) {}

  async authenticate(login: string, password: string): Promise<LdapIdentity | null> {
    // An empty password makes a simple bind "unauthenticated" (RFC 4513 5.1.2), which many
    // servers answer with success: it must never reach the directory.
    if (password === '' || login.trim() === '') return null;
    return this.withClient([password], async (client, attempt) => {
      await this.serviceBind(client, attempt);
      const filter = fillFilter(this.settings.searchFilter, { login });
      const { searchEntries } = await attempt('user search', () =>
        client.search(this.settings.searchBase, {
          scope: 'sub',
          filter,
          attributes: USER_ATTRIBUTES,
          // Two are enough to tell "ambiguous" from "one".
          sizeLimit: 2,
          timeLimit: this.timeLimitSeconds(),
        }),
      );
      if (searchEntries.length !== 1) {
        if (searchEntries.length > 1) {
          this.logger.warn({ login }, 'LDAP login refused: the search filter matches more than one entry');
        } else {
          this.logger.debug({ login }, 'LDAP login refused: no such user');
        }
        return null;
      }
      const entry = searchEntries[0]!;
      const canonicalLogin = firstValue(entry, 'uid') ?? login;
      // Read before the user bind, so that every read runs as the search identity: once bound as
      // the user, the connection has the user's rights, which may not include reading groups.
      const groups = await this.findGroups(client, attempt, entry.dn, canonicalLogin);

      try {
        await client.bind(entry.dn, password);
      } catch (err) {
        if (!REFUSED_BIND.some((type) => err instanceof type)) throw this.unavailable('user bind', err, [password]);
        this.logger.debug({ login, dn: entry.dn }, 'LDAP login refused: the directory rejected the password');
        return null;
      }
      return {
        dn: entry.dn,
        login: canonicalLogin,
        email: firstValue(entry, 'mail'),
        displayName: firstValue(entry, 'displayName') ?? firstValue(entry, 'cn'),
        groups,
      };
    });
  }

  /** Connects, binds as the service account and reads the search base: what a login needs first. */
  async check(): Promise<void> {
    await this.withClient([], async (client, attempt) => {
      await this.serviceBind(client, attempt);
      await attempt('search base lookup', () =>
        client.search(this.settings.searchBase, { scope: 'base', attributes: ['1.1'] }),
      );
    });
  }

  private async withClient<T>(secrets: string[], work: (client: Client, attempt: Attempt) => Promise<T>): Promise<T> {
    const client = new Client({
      url: this.settings.url,
      connectTimeout: this.settings.timeoutMs,
      timeout: this.settings.timeoutMs,
      // ldapts speaks TLS from the first byte whenever tlsOptions are given, even to ldap://.
      ...(this.settings.url.toLowerCase().startsWith('ldaps:') ? { tlsOptions: this.tlsOptions() } : {}),
    });
    const attempt: Attempt = async (step, op) => {
      try {
        return await op();
      } catch (err) {
        throw this.unavailable(step, err, secrets);
      }
    };
    try {
      if (this.settings.startTls) await attempt('StartTLS', () => client.startTLS(this.tlsOptions()));
      return await work(client, attempt);
    } finally {
      // A failed unbind only means the connection is already gone.
      await client.unbind().catch(() => undefined);
    }
  }

  private async serviceBind(client: Client, attempt: Attempt): Promise<void> {
    const { bindDn, bindPassword } = this.settings;
    if (!bindDn) return;
    if (!bindPassword) {
      // Same reason as for users: with no password the "service bind" would be unauthenticated.
      throw this.unavailable('service bind', new Error(`the service account ${bindDn} has no password configured`));
    }
    await attempt('service bind', () => client.bind(bindDn, bindPassword));
  }

  private async findGroups(client: Client, attempt: Attempt, dn: string, login: string): Promise<string[]> {
    const filter = fillFilter(this.settings.groupFilter, { dn, login });
    const { searchEntries } = await attempt('group search', () =>
      client.search(this.settings.groupSearchBase, {
        scope: 'sub',
        filter,
        attributes: ['1.1'],
        timeLimit: this.timeLimitSeconds(),
      }),
    );
    return [...new Set(searchEntries.map((e) => normaliseDn(e.dn)))].sort();
  }

  /**
   * The error callers see says only that the directory is unavailable (it may reach an anonymous
   * login form); the details go to the log, with every secret scrubbed from the cause's text.
   */
  private unavailable(step: string, err: unknown, secrets: string[] = []): AppError {
    let reason = err instanceof Error ? err.message : String(err);
    for (const secret of [...secrets, this.settings.bindPassword]) {
      if (secret) reason = reason.replaceAll(secret, '[redacted]');
    }
    this.logger.warn({ url: this.settings.url, step, reason }, 'LDAP directory unavailable');
    return new AppError('LDAP_UNAVAILABLE', 'The LDAP directory is unavailable', {}, { cause: err });
  }

  private tlsOptions(): ConnectionOptions {
    const { hostname } = new URL(this.settings.url);
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    return {
      host,
      // SNI takes host names only; Node warns when given an IP address.
      ...(net.isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: this.settings.tlsRejectUnauthorized ?? true,
    };
  }

  private timeLimitSeconds(): number {
    return Math.max(1, Math.ceil(this.settings.timeoutMs / 1000));
  }
}

/**
 * RFC 4515 escaping of a value for an LDAP search filter: the filter's own syntax characters,
 * control characters and every non-ASCII byte of the UTF-8 encoding become `\xx`.
 */
export function escapeFilterValue(value: string): string {
  let escaped = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const plain = byte >= 0x20 && byte < 0x7f && byte !== 0x2a && byte !== 0x28 && byte !== 0x29 && byte !== 0x5c;
    escaped += plain ? String.fromCharCode(byte) : `\\${byte.toString(16).padStart(2, '0')}`;
  }
  return escaped;
}

/**
 * Lower case, and no spaces after the commas between RDNs, so that DNs from the directory and
 * DNs written in configuration compare equal. Escaped commas (`\,`) are part of a value and kept.
 */
export function normaliseDn(dn: string): string {
  let out = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (c === '\\' && i + 1 < dn.length) {
      out += c + dn[i + 1]!;
      i++;
    } else if (c === ',') {
      out = out.trimEnd() + ',';
      while (dn[i + 1] === ' ') i++;
    } else {
      out += c;
    }
  }
  return out.trim().toLowerCase();
}

/**
 * Fills `{{name}}` placeholders with escaped values and parses the result. One pass with a
 * replacer function: a value is never rescanned for placeholders, and `$&`-style patterns in it
 * mean nothing.
 */
function fillFilter(template: string, values: Record<string, string>): Filter {
  const text = template.replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) =>
    name in values ? escapeFilterValue(values[name]!) : placeholder,
  );
  // ldapts turns each `\xx` into the character with that code rather than into a byte, so an
  // escaped UTF-8 sequence would go out double-encoded. Escaping any raw non-ASCII of the template
  // too leaves only such byte-characters in the parsed values, which are then decoded as UTF-8.
  const filter = FilterParser.parseString(text.replace(/[^\p{ASCII}]+/gu, (chars) => escapeFilterValue(chars)));
  decodeEscapedBytes(filter);
  return filter;
}

function decodeEscapedBytes(filter: Filter): void {
  const decode = (value: string): string => Buffer.from(value, 'latin1').toString('utf8');
  if (filter instanceof AndFilter || filter instanceof OrFilter) {
    filter.filters.forEach(decodeEscapedBytes);
  } else if (filter instanceof NotFilter) {
    decodeEscapedBytes(filter.filter);
  } else if (filter instanceof SubstringFilter) {
    filter.initial = decode(filter.initial);
    filter.any = filter.any.map(decode);
    filter.final = decode(filter.final);
  } else if (
    filter instanceof EqualityFilter ||
    filter instanceof ApproximateFilter ||
    filter instanceof GreaterThanEqualsFilter ||
    filter instanceof LessThanEqualsFilter ||
    filter instanceof ExtensibleFilter
  ) {
    if (typeof filter.value === 'string') filter.value = decode(filter.value);
  }
}

/** The first value of an attribute, found whatever case the server spells its name in. */
function firstValue(entry: Entry, attribute: string): string | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  const text = Buffer.isBuffer(first) ? first.toString('utf8') : first;
  return text === '' ? undefined : text;
}
