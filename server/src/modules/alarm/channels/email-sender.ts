import nodemailer, { type NodemailerError } from 'nodemailer';
import type { EmailConfig } from './channel-types.js';
import { renderEmail, type AlarmMessage } from './message.js';
import { redact } from './redact.js';
import type { DeliveryResult } from './senders.js';
import { truncateBytes } from './text.js';

interface EmailContext {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** Strings to mask out of every report. */
  hidden: string[];
  started: number;
}

/** Nodemailer codes of a connection that failed or broke: the server may be back later. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS']);

/**
 * Sends the alarm as one e-mail (HTML and plain-text parts) over SMTP with nodemailer. A new
 * connection per message: alarms are rare, and a pooled connection would outlive a changed config.
 */
export async function sendEmail(
  config: EmailConfig,
  message: AlarmMessage,
  context: EmailContext,
): Promise<DeliveryResult> {
  const content = renderEmail(message);
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTLS,
    auth: config.username ? { user: config.username, pass: config.password ?? '' } : undefined,
    connectionTimeout: context.timeoutMs,
    greetingTimeout: context.timeoutMs,
    socketTimeout: context.timeoutMs,
    // Alarm text never names files or URLs to attach.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const server = `${config.host}:${config.port}`;
  const elapsed = () => Math.round(performance.now() - context.started);
  const fail = (error: string, retryable: boolean, status?: number): DeliveryResult => ({
    ok: false,
    status,
    error: redact(error, context.hidden),
    retryable,
    durationMs: elapsed(),
  });

  // The socket timeouts bound each wait; this bounds the whole exchange, and honours `signal`.
  let stop: (reason: 'timeout' | 'cancelled') => void = () => undefined;
  const stopped = new Promise<'timeout' | 'cancelled'>((resolve) => (stop = resolve));
  const timer = setTimeout(() => stop('timeout'), context.timeoutMs);
  const onAbort = () => stop('cancelled');
  context.signal?.addEventListener('abort', onAbort, { once: true });
  if (context.signal?.aborted) onAbort();
  try {
    const outcome = await Promise.race([
      transport
        .sendMail({
          from: config.from,
          to: config.to,
          cc: config.cc && config.cc.length > 0 ? config.cc : undefined,
          subject: content.subject,
          text: content.text,
          html: content.html,
          headers: message.alarmId ? { 'X-Sluice-Alarm-Id': message.alarmId } : undefined,
        })
        .then((info) => ({ info })),
      stopped.then((reason) => ({ reason })),
    ]);
    if ('reason' in outcome) {
      return outcome.reason === 'timeout'
        ? fail(`The SMTP server ${server} did not finish within ${context.timeoutMs} ms`, true)
        : fail('The e-mail delivery was cancelled', true);
    }
    const reply = String(outcome.info.response ?? '');
    const rejected = (outcome.info.rejected ?? []).map(String);
    const response = rejected.length > 0 ? `${reply} (rejected: ${rejected.join(', ')})` : reply;
    return {
      ok: true,
      status: smtpCode(reply),
      response: truncateBytes(redact(response, context.hidden), 2048),
      retryable: false,
      durationMs: elapsed(),
    };
  } catch (err) {
    const e = err as NodemailerError;
    const reply = e.response ? `: ${truncateBytes(e.response, 300)}` : '';
    if (e.code === 'EAUTH') {
      return fail(`SMTP authentication failed at ${server}${reply || `: ${e.message}`}`, false, e.responseCode);
    }
    if (e.code === 'ETLS' || e.command === 'STARTTLS') {
      const detail = e.command === 'STARTTLS' ? `STARTTLS was refused${reply}` : e.message;
      return fail(`TLS could not be set up with ${server}: ${detail}`, false, e.responseCode);
    }
    if (e.code && TRANSIENT_CODES.has(e.code)) {
      return fail(`The SMTP server ${server} could not be reached: ${e.message}`, true, e.responseCode);
    }
    if (typeof e.responseCode === 'number') {
      // RFC 5321: 4yz is transient, 5yz permanent (except 503, a session out of step).
      const permanent = e.responseCode >= 500 && e.responseCode !== 503;
      return fail(`The SMTP server ${server} answered ${e.responseCode}${reply}`, !permanent, e.responseCode);
    }
    return fail(`E-mail could not be sent through ${server}: ${e.message}`, false);
  } finally {
    clearTimeout(timer);
    context.signal?.removeEventListener('abort', onAbort);
    transport.close();
  }
}

function smtpCode(reply: string): number | undefined {
  const match = /^(\d{3})/.exec(reply);
  return match ? Number(match[1]) : undefined;
}
