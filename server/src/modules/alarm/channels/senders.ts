import { createHmac } from 'node:crypto';
import { isAppError } from '../../../errors.js';
import { VERSION } from '../../../version.js';
import {
  ChannelType,
  DEFAULT_TIMEOUT_MS,
  parseChannelConfig,
  type ChannelConfig,
  type DingTalkConfig,
  type FeishuConfig,
  type SlackConfig,
  type WebhookConfig,
  type WeComConfig,
} from './channel-types.js';
import { sendEmail } from './email-sender.js';
import {
  renderDingTalkMessage,
  renderFeishuMessage,
  renderSlackMessage,
  renderWebhookPayload,
  renderWeComMessage,
  type AlarmMessage,
} from './message.js';
import { maskUrl, redact, secretStrings } from './redact.js';
import { truncateBytes } from './text.js';

/** The outcome of one delivery attempt. Nothing in it contains a secret. */
export interface DeliveryResult {
  ok: boolean;
  /** The HTTP status, or for e-mail the SMTP reply code. */
  status?: number;
  /** What the platform answered, cut to 2 KB, secrets masked. */
  response?: string;
  /** Why it failed, for people; secrets masked. */
  error?: string;
  /**
   * Whether the same message may go through later: timeouts, network errors, 5xx, 429 and the
   * platforms' rate-limit codes. Configuration problems (4xx, bad credentials, errcodes) are not.
   */
  retryable: boolean;
  durationMs: number;
}

export interface SendOptions {
  /** The fetch to use; the global one (undici) by default. */
  fetch?: typeof fetch;
  /** Overrides the channel's own timeout for this attempt. */
  timeoutMs?: number;
  /** Cancels the attempt (e.g. at shutdown); a cancelled attempt is retryable. */
  signal?: AbortSignal;
}

/** Responses are kept to this size. */
export const RESPONSE_LIMIT_BYTES = 2048;
/** At most this much of a response is read (and parsed); platforms answer in a few hundred bytes. */
const READ_LIMIT_BYTES = 64 * 1024;

/**
 * Sends `message` through a channel. `settings` and `secrets` are the channel's stored public
 * settings and decrypted secrets (see `validateChannelConfig`). Never throws for a failed
 * delivery: the result says what happened and whether a retry may help. An invalid stored
 * config is a failure that is not retryable.
 */
export async function sendToChannel(
  type: ChannelType,
  settings: Record<string, unknown>,
  secrets: Record<string, unknown>,
  message: AlarmMessage,
  options: SendOptions = {},
): Promise<DeliveryResult> {
  const started = performance.now();
  const hidden = secretStrings(secrets);
  let config: ChannelConfig;
  try {
    config = parseChannelConfig(type, settings, secrets);
  } catch (err) {
    if (!isAppError(err)) throw err;
    return {
      ok: false,
      error: redact(`The channel's configuration is invalid: ${err.message}`, hidden),
      retryable: false,
      durationMs: elapsed(started),
    };
  }
  const timeoutMs = options.timeoutMs ?? config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const context: DeliveryContext = {
    fetch: options.fetch ?? fetch,
    timeoutMs,
    signal: options.signal,
    hidden,
    started,
  };
  switch (config.type) {
    case ChannelType.WEBHOOK:
      return sendWebhook(config, message, context);
    case ChannelType.SLACK:
      return sendSlack(config, message, context);
    case ChannelType.DINGTALK:
      return sendDingTalk(config, message, context);
    case ChannelType.FEISHU:
      return sendFeishu(config, message, context);
    case ChannelType.WECOM:
      return sendWeCom(config, message, context);
    case ChannelType.EMAIL:
      return sendEmail(config, message, { timeoutMs, signal: options.signal, hidden, started });
  }
}

interface DeliveryContext {
  fetch: typeof fetch;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** Strings to mask out of every report. */
  hidden: string[];
  started: number;
}

const elapsed = (started: number): number => Math.round(performance.now() - started);

const jsonHeaders = (): Record<string, string> => ({
  'content-type': 'application/json; charset=utf-8',
  'user-agent': `Sluice/${VERSION}`,
});

// ---------------------------------------------------------------------------------------------
// Channels

/**
 * The signature a WEBHOOK receiver checks: hex HMAC-SHA256, keyed by the channel's HMAC secret,
 * of `${timestamp}.${body}` where `timestamp` is the `X-Sluice-Timestamp` header (unix seconds)
 * and `body` the raw request body. Receivers should compare in constant time and reject stale
 * timestamps (e.g. older than five minutes) so a captured request cannot be replayed.
 */
export const webhookSignature = (secret: string, timestamp: number, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

function sendWebhook(config: WebhookConfig, message: AlarmMessage, context: DeliveryContext): Promise<DeliveryResult> {
  const body = JSON.stringify(renderWebhookPayload(message));
  // Custom headers first, so they cannot replace the content type or the signature.
  const headers: Record<string, string> = { ...config.headers, ...jsonHeaders() };
  if (config.hmacSecret) {
    const timestamp = Math.floor(Date.now() / 1000);
    headers['x-sluice-timestamp'] = String(timestamp);
    headers['x-sluice-signature'] = webhookSignature(config.hmacSecret, timestamp, body);
  }
  return deliver({ url: config.url, method: config.method, headers, body }, 'The webhook', interpretHttp, context);
}

function sendSlack(config: SlackConfig, message: AlarmMessage, context: DeliveryContext): Promise<DeliveryResult> {
  const body = JSON.stringify(renderSlackMessage(message));
  return deliver({ url: config.url, method: 'POST', headers: jsonHeaders(), body }, 'Slack', interpretHttp, context);
}

/**
 * DingTalk's signing: `sign` is the base64 HMAC-SHA256, keyed by the secret, of
 * `${timestamp}\n${secret}` (timestamp in milliseconds); both go in the query string.
 */
export function dingTalkSignedUrl(url: string, secret: string, timestamp: number): string {
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  const signed = new URL(url);
  signed.searchParams.set('timestamp', String(timestamp));
  signed.searchParams.set('sign', sign);
  return signed.href;
}

/** DingTalk robot errcodes that mean "too many messages": 20 a minute per robot. */
const DINGTALK_RETRYABLE = new Set([
  -1, // system busy
  130101, // send too fast, exceed 20 times per minute
  410100, // sent too fast, throttled (newer code for the same limit)
]);

function sendDingTalk(
  config: DingTalkConfig,
  message: AlarmMessage,
  context: DeliveryContext,
): Promise<DeliveryResult> {
  const url = config.signingSecret ? dingTalkSignedUrl(config.url, config.signingSecret, Date.now()) : config.url;
  const body = JSON.stringify(renderDingTalkMessage(message));
  const interpret = interpretPlatform(
    'DingTalk',
    (json) => codeAndMessage(json, 'errcode', 'errmsg'),
    DINGTALK_RETRYABLE,
  );
  return deliver({ url, method: 'POST', headers: jsonHeaders(), body }, 'DingTalk', interpret, context);
}

/**
 * Feishu's signing, the reverse of DingTalk's: `sign` is the base64 HMAC-SHA256, keyed by
 * `${timestamp}\n${secret}` (timestamp in seconds), of an empty message.
 */
export const feishuSign = (secret: string, timestamp: number): string =>
  createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');

/** Feishu custom bot codes that mean "too many messages" (100 a minute, 5 a second per bot). */
const FEISHU_RETRYABLE = new Set([
  11232, // frequency limited
]);

function sendFeishu(config: FeishuConfig, message: AlarmMessage, context: DeliveryContext): Promise<DeliveryResult> {
  const rendered = renderFeishuMessage(message, config.messageFormat);
  let payload: Record<string, unknown> = { ...rendered };
  if (config.signingSecret) {
    const timestamp = Math.floor(Date.now() / 1000);
    payload = { timestamp: String(timestamp), sign: feishuSign(config.signingSecret, timestamp), ...rendered };
  }
  const interpret = interpretPlatform(
    'Feishu',
    // Current answers carry `code`/`msg`; older ones `StatusCode`/`StatusMessage`.
    (json) => codeAndMessage(json, 'code', 'msg') ?? codeAndMessage(json, 'StatusCode', 'StatusMessage'),
    FEISHU_RETRYABLE,
  );
  const body = JSON.stringify(payload);
  return deliver({ url: config.url, method: 'POST', headers: jsonHeaders(), body }, 'Feishu', interpret, context);
}

/** WeCom robot errcodes that mean "try later": 20 messages a minute per robot. */
const WECOM_RETRYABLE = new Set([
  -1, // system busy
  45009, // api freq out of limit
]);

function sendWeCom(config: WeComConfig, message: AlarmMessage, context: DeliveryContext): Promise<DeliveryResult> {
  const body = JSON.stringify(renderWeComMessage(message));
  const interpret = interpretPlatform('WeCom', (json) => codeAndMessage(json, 'errcode', 'errmsg'), WECOM_RETRYABLE);
  return deliver({ url: config.url, method: 'POST', headers: jsonHeaders(), body }, 'WeCom', interpret, context);
}

// ---------------------------------------------------------------------------------------------
// HTTP delivery

interface HttpRequest {
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string;
}

type Verdict = { ok: true } | { ok: false; error: string; retryable: boolean };
/** Reads an answer: `who` names the receiver in messages, `url` is already masked. */
type Interpret = (status: number, text: string, who: string, url: string) => Verdict;

async function deliver(
  request: HttpRequest,
  who: string,
  interpret: Interpret,
  context: DeliveryContext,
): Promise<DeliveryResult> {
  const masked = maskUrl(request.url);
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const signal = context.signal ? AbortSignal.any([timeout, context.signal]) : timeout;
  const fail = (error: string, retryable: boolean, extra: Partial<DeliveryResult> = {}): DeliveryResult => ({
    ok: false,
    ...extra,
    error: redact(error, context.hidden),
    retryable,
    durationMs: elapsed(context.started),
  });

  let status: number;
  let text: string;
  try {
    // Redirects are not followed: a redirected POST turns into a GET, and the body is lost.
    const response = await context.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal,
      redirect: 'manual',
    });
    status = response.status;
    text = await readCapped(response);
  } catch (err) {
    if (timeout.aborted) return fail(`${who} did not answer within ${context.timeoutMs} ms (${masked})`, true);
    if (context.signal?.aborted) return fail('The delivery was cancelled', true);
    return fail(`${who} could not be reached at ${masked}: ${networkReason(err)}`, true);
  }

  const response = text === '' ? undefined : truncateBytes(redact(text, context.hidden), RESPONSE_LIMIT_BYTES);
  if (status >= 300 && status < 400) {
    return fail(`${who} answered with a redirect (HTTP ${status}) at ${masked}: use the final URL`, false, {
      status,
      response,
    });
  }
  const verdict = interpret(status, text, who, masked);
  if (verdict.ok) return { ok: true, status, response, retryable: false, durationMs: elapsed(context.started) };
  return fail(verdict.error, verdict.retryable, { status, response });
}

/** The response body as text, at most {@link READ_LIMIT_BYTES} of it. */
async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < READ_LIMIT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, READ_LIMIT_BYTES).toString('utf8');
}

/** undici reports `fetch failed` with the socket error as the cause; that cause is the reason. */
function networkReason(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as Error & { code?: unknown }).code;
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'host not found'
        : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
          ? 'connection reset'
          : cause.message;
  return typeof code === 'string' && reason !== cause.message ? `${reason} (${code})` : reason;
}

const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** Any 2xx is success (WEBHOOK, Slack); otherwise the status decides. */
const interpretHttp: Interpret = (status, text, who, url) => {
  if (status >= 200 && status < 300) return { ok: true };
  const detail = text.trim() === '' ? '' : `: ${truncateBytes(text.trim().replace(/\s+/g, ' '), 200)}`;
  return {
    ok: false,
    error: `${who} answered HTTP ${status} at ${url}${detail}`,
    retryable: isRetryableStatus(status),
  };
};

function codeAndMessage(
  json: unknown,
  codeKey: string,
  messageKey: string,
): { code: number; message: string } | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const record = json as Record<string, unknown>;
  const code = record[codeKey];
  if (typeof code !== 'number') return undefined;
  const message = record[messageKey];
  return { code, message: typeof message === 'string' ? message : '' };
}

/**
 * The chat robots answer HTTP 200 with a JSON code, 0 for success. A non-zero code is a failure
 * the user must fix, except the listed rate-limit codes, which pass with time.
 */
function interpretPlatform(
  name: string,
  read: (json: unknown) => { code: number; message: string } | undefined,
  retryableCodes: ReadonlySet<number>,
): Interpret {
  return (status, text, who, url) => {
    let answer: { code: number; message: string } | undefined;
    try {
      answer = read(JSON.parse(text));
    } catch {
      answer = undefined;
    }
    if (answer && answer.code !== 0) {
      const message = answer.message ? `: ${truncateBytes(answer.message, 300)}` : '';
      return {
        ok: false,
        error: `${name} refused the message with code ${answer.code}${message}`,
        retryable: retryableCodes.has(answer.code) || isRetryableStatus(status),
      };
    }
    if (status < 200 || status >= 300) return interpretHttp(status, text, who, url);
    if (answer) return { ok: true };
    return { ok: false, error: `${name} answered HTTP ${status} at ${url} without a result code`, retryable: false };
  };
}
