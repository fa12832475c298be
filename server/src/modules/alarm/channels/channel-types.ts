import { UserInputError, type FieldProblem } from '../../../errors.js';
import type { FeishuFormat } from './message.js';

/** Where an alarm notification can be sent. */
export enum ChannelType {
  WEBHOOK = 'WEBHOOK',
  SLACK = 'SLACK',
  DINGTALK = 'DINGTALK',
  FEISHU = 'FEISHU',
  WECOM = 'WECOM',
  EMAIL = 'EMAIL',
}

/**
 * The form control and check a field needs. EMAIL is one address (`ops@x.io` or
 * `Ops <ops@x.io>`); EMAIL_LIST is a list of them (or one string separated by commas); HEADERS is
 * an object of HTTP header name → value.
 */
export type ChannelFieldKind = 'URL' | 'STRING' | 'INTEGER' | 'BOOLEAN' | 'ENUM' | 'EMAIL' | 'EMAIL_LIST' | 'HEADERS';

/** One setting of a channel type: what the form shows, how it is checked, whether it is a secret. */
export interface ChannelFieldDefinition {
  /** The key in the config, camelCase. */
  name: string;
  label: string;
  kind: ChannelFieldKind;
  required: boolean;
  /**
   * Stored encrypted by the caller, never returned by the API, never put in an error or a log.
   * Webhook URLs are secrets: whoever has one can post to the channel.
   */
  secret: boolean;
  default?: string | number | boolean;
  /** For ENUM. */
  enumValues?: string[];
  /** For INTEGER. */
  min?: number;
  max?: number;
  description: string;
  placeholder?: string;
  /** A type-specific check of a value that passed the kind's check; returns the problem. */
  check?: (value: string) => string | undefined;
}

/** A stored public setting. */
export type ChannelSettingValue = string | number | boolean | string[];
/** A secret value: a string, or for HEADERS a record of strings. The caller seals them as JSON. */
export type ChannelSecretValue = string | Record<string, string>;

export interface WebhookConfig {
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  hmacSecret?: string;
  timeoutMs: number;
}
export interface SlackConfig {
  url: string;
  timeoutMs: number;
}
export interface DingTalkConfig {
  url: string;
  signingSecret?: string;
  timeoutMs: number;
}
export interface FeishuConfig {
  url: string;
  signingSecret?: string;
  messageFormat: FeishuFormat;
  timeoutMs: number;
}
export interface WeComConfig {
  url: string;
  timeoutMs: number;
}
export interface EmailConfig {
  host: string;
  port: number;
  /** TLS from the first byte (SMTPS, usually port 465). */
  secure: boolean;
  /** Refuse to send unless the server upgrades with STARTTLS. */
  requireTLS: boolean;
  username?: string;
  password?: string;
  from: string;
  to: string[];
  cc?: string[];
  timeoutMs: number;
}

/** A complete, checked channel config (public settings and decrypted secrets together). */
export type ChannelConfig =
  | ({ type: ChannelType.WEBHOOK } & WebhookConfig)
  | ({ type: ChannelType.SLACK } & SlackConfig)
  | ({ type: ChannelType.DINGTALK } & DingTalkConfig)
  | ({ type: ChannelType.FEISHU } & FeishuConfig)
  | ({ type: ChannelType.WECOM } & WeComConfig)
  | ({ type: ChannelType.EMAIL } & EmailConfig);

/** The default time one delivery may take. */
export const DEFAULT_TIMEOUT_MS = 10_000;

const timeout: ChannelFieldDefinition = {
  name: 'timeoutMs',
  label: 'Timeout (ms)',
  kind: 'INTEGER',
  required: false,
  secret: false,
  default: DEFAULT_TIMEOUT_MS,
  min: 1000,
  max: 60_000,
  description: 'How long one delivery may take; a delivery that times out is retried.',
};

const webhookUrl = (description: string, placeholder: string, check?: (value: string) => string | undefined) =>
  ({
    name: 'url',
    label: 'Webhook URL',
    kind: 'URL',
    required: true,
    secret: true,
    description,
    placeholder,
    check,
  }) satisfies ChannelFieldDefinition;

const needsQueryParameter = (parameter: string, platform: string) => (value: string) =>
  new URL(value).searchParams.get(parameter)
    ? undefined
    : `must be a ${platform} webhook URL with its ${parameter} parameter`;

const signingSecret = (description: string): ChannelFieldDefinition => ({
  name: 'signingSecret',
  label: 'Signing secret',
  kind: 'STRING',
  required: false,
  secret: true,
  description,
});

/** Each channel type's fields: forms, validation and the public/secret split all read these. */
export const CHANNEL_FIELDS: Readonly<Record<ChannelType, readonly ChannelFieldDefinition[]>> = {
  [ChannelType.WEBHOOK]: [
    webhookUrl('Where the alarm JSON is sent. Treated as a secret, since URLs often embed tokens.', 'https://'),
    {
      name: 'method',
      label: 'Method',
      kind: 'ENUM',
      required: false,
      secret: false,
      default: 'POST',
      enumValues: ['POST', 'PUT'],
      description: 'The HTTP method.',
    },
    {
      name: 'headers',
      label: 'Headers',
      kind: 'HEADERS',
      required: false,
      secret: true,
      description: 'Extra request headers (e.g. Authorization); their values are secrets.',
    },
    {
      name: 'hmacSecret',
      label: 'HMAC secret',
      kind: 'STRING',
      required: false,
      secret: true,
      description:
        'When set, each request carries X-Sluice-Timestamp (unix seconds) and X-Sluice-Signature: ' +
        'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed by this secret>.',
    },
    timeout,
  ],
  [ChannelType.SLACK]: [webhookUrl('A Slack incoming webhook URL.', 'https://hooks.slack.com/services/…'), timeout],
  [ChannelType.DINGTALK]: [
    webhookUrl(
      'A DingTalk custom robot webhook URL, with its access_token. For keyword security, use the ' +
        'keyword "Sluice": every message contains it.',
      'https://oapi.dingtalk.com/robot/send?access_token=…',
      needsQueryParameter('access_token', 'DingTalk robot'),
    ),
    signingSecret('The robot\'s "sign" secret (SEC…), when its security setting is signing.'),
    timeout,
  ],
  [ChannelType.FEISHU]: [
    webhookUrl('A Feishu or Lark custom bot webhook URL.', 'https://open.feishu.cn/open-apis/bot/v2/hook/…'),
    signingSecret("The bot's signature verification secret, when enabled."),
    {
      name: 'messageFormat',
      label: 'Message format',
      kind: 'ENUM',
      required: false,
      secret: false,
      default: 'INTERACTIVE',
      enumValues: ['INTERACTIVE', 'POST'],
      description: 'A message card (INTERACTIVE) or rich text (POST).',
    },
    timeout,
  ],
  [ChannelType.WECOM]: [
    webhookUrl(
      'A WeCom group robot webhook URL, with its key.',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
      needsQueryParameter('key', 'WeCom robot'),
    ),
    timeout,
  ],
  [ChannelType.EMAIL]: [
    {
      name: 'host',
      label: 'SMTP host',
      kind: 'STRING',
      required: true,
      secret: false,
      description: 'The SMTP server.',
    },
    {
      name: 'port',
      label: 'Port',
      kind: 'INTEGER',
      required: false,
      secret: false,
      default: 587,
      min: 1,
      max: 65_535,
      description: '587 for STARTTLS, 465 for TLS (secure), 25 for plain relay.',
    },
    {
      name: 'secure',
      label: 'TLS',
      kind: 'BOOLEAN',
      required: false,
      secret: false,
      default: false,
      description: 'Connect over TLS from the start (SMTPS, usually port 465).',
    },
    {
      name: 'requireTLS',
      label: 'Require STARTTLS',
      kind: 'BOOLEAN',
      required: false,
      secret: false,
      default: false,
      description: 'Fail rather than send in clear text when the server does not offer STARTTLS.',
    },
    {
      name: 'username',
      label: 'Username',
      kind: 'STRING',
      required: false,
      secret: false,
      description: 'Leave empty for a relay without authentication.',
    },
    {
      name: 'password',
      label: 'Password',
      kind: 'STRING',
      required: false,
      secret: true,
      description: 'SMTP password.',
    },
    {
      name: 'from',
      label: 'From',
      kind: 'EMAIL',
      required: true,
      secret: false,
      description: 'Sender, e.g. "Sluice <sluice@example.com>".',
    },
    { name: 'to', label: 'To', kind: 'EMAIL_LIST', required: true, secret: false, description: 'Recipients.' },
    { name: 'cc', label: 'Cc', kind: 'EMAIL_LIST', required: false, secret: false, description: 'Copy recipients.' },
    timeout,
  ],
};

/** Resolves a type name from input; unknown names are a user error naming `field`. */
export function parseChannelType(value: string, field = 'type'): ChannelType {
  if ((Object.values(ChannelType) as string[]).includes(value)) return value as ChannelType;
  throw new UserInputError(`Unknown channel type ${value}; known: ${Object.values(ChannelType).join(', ')}`, { field });
}

/** The names of a type's secret fields. */
export const secretFieldNames = (type: ChannelType): string[] =>
  CHANNEL_FIELDS[type].filter((f) => f.secret).map((f) => f.name);

/** A config split the way it is stored. */
export interface ValidatedChannelConfig {
  /** Public settings, defaults applied: stored in clear and returned by the API. */
  settings: Record<string, ChannelSettingValue>;
  /** Secrets to set (name → value): the caller encrypts them. */
  setSecrets: Record<string, ChannelSecretValue>;
  /** Secrets to clear (given as null). */
  clearSecrets: string[];
}

export interface ValidateOptions {
  /** Names of the secrets already stored: absent secrets keep them, so an edit need not resend. */
  storedSecrets?: string[];
  /** Put before field names in problems, e.g. `config.` gives `config.url must be …`. */
  fieldPrefix?: string;
}

/**
 * Checks a channel config as entered (public settings and secrets in one object) and splits it.
 * Every problem is reported, each by field (`url must be an http(s) URL`), in one
 * {@link UserInputError}. Secrets follow the datasource rule: a value sets, null clears, absence
 * keeps the stored one. Messages never contain a secret's value.
 */
export function validateChannelConfig(
  type: ChannelType,
  input: Record<string, unknown>,
  options: ValidateOptions = {},
): ValidatedChannelConfig {
  const prefix = options.fieldPrefix ?? '';
  const stored = options.storedSecrets ?? [];
  const fields = CHANNEL_FIELDS[type];
  const problems: FieldProblem[] = [];
  const result: ValidatedChannelConfig = { settings: {}, setSecrets: {}, clearSecrets: [] };
  const problem = (name: string, message: string) =>
    problems.push({ field: `${prefix}${name}`, message: `${prefix}${name} ${message}` });

  const known = new Set(fields.map((f) => f.name));
  for (const name of Object.keys(input)) {
    if (!known.has(name)) problem(name, `is not a ${type} setting (they are: ${[...known].join(', ')})`);
  }
  for (const def of fields) {
    const raw = input[def.name];
    if (def.secret) {
      if (raw === null) result.clearSecrets.push(def.name);
      else if (raw !== undefined) {
        const checked = checkValue(def, raw);
        if ('problem' in checked) problem(def.name, checked.problem);
        else result.setSecrets[def.name] = checked.value as ChannelSecretValue;
      }
      const willBeSet = def.name in result.setSecrets || (raw === undefined && stored.includes(def.name));
      if (def.required && !willBeSet && !problems.some((p) => p.field === `${prefix}${def.name}`)) {
        problem(def.name, 'is required');
      }
      continue;
    }
    if (raw === undefined || raw === null || raw === '') {
      if (def.default !== undefined) result.settings[def.name] = def.default;
      else if (def.required)
        problem(def.name, def.kind === 'EMAIL_LIST' ? 'must list at least one address' : 'is required');
      continue;
    }
    const checked = checkValue(def, raw);
    if ('problem' in checked) problem(def.name, checked.problem);
    else if (!(Array.isArray(checked.value) && checked.value.length === 0 && !def.required)) {
      result.settings[def.name] = checked.value as ChannelSettingValue;
    }
  }
  if (type === ChannelType.EMAIL) {
    const username = result.settings.username;
    const password = 'password' in result.setSecrets || (input.password === undefined && stored.includes('password'));
    if (username && !password) problem('password', 'is required when a username is set');
    if (!username && 'password' in result.setSecrets) problem('username', 'is required when a password is set');
    if (result.settings.secure === true && result.settings.requireTLS === true) {
      problem('requireTLS', 'applies to STARTTLS only; it cannot be set together with secure');
    }
  }
  if (problems.length > 0) throw UserInputError.of(problems);
  return result;
}

/**
 * Checks a stored config (public settings and decrypted secrets) and returns it typed, defaults
 * applied. Throws a {@link UserInputError} when it is incomplete or invalid.
 */
export function parseChannelConfig(
  type: ChannelType,
  settings: Record<string, unknown>,
  secrets: Record<string, unknown>,
): ChannelConfig {
  const { settings: checked, setSecrets } = validateChannelConfig(type, { ...settings, ...secrets });
  return { type, ...checked, ...setSecrets } as unknown as ChannelConfig;
}

type Checked = { value: unknown } | { problem: string };

/** RFC 9110 token characters: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers Sluice sets itself or that HTTP manages. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'x-sluice-signature',
  'x-sluice-timestamp',
]);
const MAX_HEADERS = 20;
const MAX_ADDRESSES = 50;

function checkValue(def: ChannelFieldDefinition, raw: unknown): Checked {
  switch (def.kind) {
    case 'URL': {
      if (typeof raw !== 'string' || !isHttpUrl(raw.trim())) return { problem: 'must be an http(s) URL' };
      const value = raw.trim();
      const problem = def.check?.(value);
      return problem ? { problem } : { value };
    }
    case 'STRING': {
      if (typeof raw !== 'string' || raw.trim() === '') return { problem: 'must be a non-empty string' };
      // Secrets are kept exactly as given: a trailing space may be part of a password.
      const value = def.secret ? raw : raw.trim();
      if (/[\r\n]/.test(value) && !def.secret) return { problem: 'must be one line' };
      const problem = def.check?.(value);
      return problem ? { problem } : { value };
    }
    case 'INTEGER': {
      if (typeof raw !== 'number' || !Number.isInteger(raw)) return { problem: 'must be a whole number' };
      if (def.min !== undefined && raw < def.min) return { problem: `must be at least ${def.min}` };
      if (def.max !== undefined && raw > def.max) return { problem: `must be at most ${def.max}` };
      return { value: raw };
    }
    case 'BOOLEAN':
      return typeof raw === 'boolean' ? { value: raw } : { problem: 'must be true or false' };
    case 'ENUM':
      return typeof raw === 'string' && def.enumValues?.includes(raw)
        ? { value: raw }
        : { problem: `must be one of ${def.enumValues?.join(', ')}` };
    case 'EMAIL':
      return typeof raw === 'string' && isAddress(raw.trim())
        ? { value: raw.trim() }
        : { problem: 'must be an e-mail address, e.g. "Sluice <sluice@example.com>"' };
    case 'EMAIL_LIST': {
      const list = typeof raw === 'string' ? raw.split(/[,;\n]/) : raw;
      if (!Array.isArray(list) || list.some((a) => typeof a !== 'string')) {
        return { problem: 'must be a list of e-mail addresses' };
      }
      const addresses = [...new Set((list as string[]).map((a) => a.trim()).filter((a) => a !== ''))];
      if (addresses.length === 0 && def.required) return { problem: 'must list at least one address' };
      if (addresses.length > MAX_ADDRESSES) return { problem: `must list at most ${MAX_ADDRESSES} addresses` };
      const bad = addresses.find((a) => !isAddress(a));
      if (bad !== undefined) return { problem: `has an invalid address: ${JSON.stringify(bad)}` };
      return { value: addresses };
    }
    case 'HEADERS': {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        return { problem: 'must be an object of header names to values' };
      }
      const entries = Object.entries(raw as Record<string, unknown>);
      if (entries.length > MAX_HEADERS) return { problem: `must have at most ${MAX_HEADERS} headers` };
      const value: Record<string, string> = {};
      for (const [name, headerValue] of entries) {
        // Names are not secret; values are, and are never quoted back.
        if (!HEADER_NAME.test(name)) return { problem: `has an invalid header name ${JSON.stringify(name)}` };
        if (RESERVED_HEADERS.has(name.toLowerCase())) return { problem: `cannot set ${name}: Sluice sets it` };
        if (typeof headerValue !== 'string' || /[\r\n\0]/.test(headerValue)) {
          return { problem: `has an invalid value for ${name}: it must be a one-line string` };
        }
        value[name] = headerValue;
      }
      return { value };
    }
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const BARE_ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+$/;

/** `ops@example.com` or `Display Name <ops@example.com>`; no line breaks (header injection). */
function isAddress(value: string): boolean {
  if (/[\r\n]/.test(value) || value.length > 320) return false;
  const named = /^(.*)<([^<>]+)>$/.exec(value);
  if (named) return !/[<>]/.test(named[1]!) && BARE_ADDRESS.test(named[2]!.trim());
  return BARE_ADDRESS.test(value);
}
