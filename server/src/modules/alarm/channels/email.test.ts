import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelType } from './channel-types.js';
import type { AlarmMessage } from './message.js';
import { sendToChannel } from './senders.js';

const USER = 'alerts@example.com';
const PASSWORD = 'smtp-Pa55word-9f8e';

interface Delivered {
  mail: ParsedMail;
  envelope: { from: string; to: string[] };
  /** Who authenticated, undefined without AUTH. */
  user: unknown;
}

/**
 * A real SMTP server on 127.0.0.1 (smtp-server) that accepts USER/PASSWORD with AUTH PLAIN or
 * LOGIN and parses what arrives with mailparser. No TLS: nodemailer is told nothing special, the
 * server just does not offer STARTTLS.
 */
async function smtpServer(options: Partial<SMTPServerOptions> = {}) {
  const delivered: Delivered[] = [];
  const authMethods: string[] = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      authMethods.push(auth.method);
      if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          delivered.push({
            mail,
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            user: session.user,
          });
          callback();
        })
        .catch(callback);
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  servers.push(stop);
  return { port, delivered, authMethods, stop };
}

const servers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((stop) => stop()));
});

function alarm(overrides: Partial<AlarmMessage> = {}): AlarmMessage {
  return {
    kind: 'FIRING',
    severity: 'CRITICAL',
    title: 'Task <orders-sync> failed',
    summary: 'Run #42 failed after 3 attempts.',
    fields: [{ label: 'Task', value: 'orders-sync' }],
    alarmId: 'a1b2c3',
    ruleName: 'run failed',
    workspace: 'analytics',
    links: { dashboardUrl: 'https://sluice.example.com/alarms/a1b2c3' },
    occurredAt: new Date('2026-03-01T08:30:00Z'),
    ...overrides,
  };
}

const settings = (port: number, overrides: Record<string, unknown> = {}) => ({
  host: '127.0.0.1',
  port,
  username: USER,
  from: 'Sluice <sluice@example.com>',
  to: ['oncall@example.com', 'Data Team <data@example.com>'],
  cc: ['lead@example.com'],
  ...overrides,
});

const addresses = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));

describe('EMAIL channel', () => {
  it('sends an HTML and a text part to every recipient after AUTH PLAIN', async () => {
    const server = await smtpServer({ authMethods: ['PLAIN'] });
    const result = await sendToChannel(ChannelType.EMAIL, settings(server.port), { password: PASSWORD }, alarm());
    expect(result).toMatchObject({ ok: true, status: 250, retryable: false });
    expect(result.response).toMatch(/^250 /);
    expect(server.authMethods).toEqual(['PLAIN']);

    expect(server.delivered).toHaveLength(1);
    const [{ mail, envelope }] = server.delivered as [Delivered];
    expect(envelope).toEqual({
      from: 'sluice@example.com',
      to: ['oncall@example.com', 'data@example.com', 'lead@example.com'],
    });
    expect(mail.from?.value).toEqual([{ address: 'sluice@example.com', name: 'Sluice' }]);
    expect(addresses(mail.to)).toEqual(['oncall@example.com', 'data@example.com']);
    expect(addresses(mail.cc)).toEqual(['lead@example.com']);
    expect(mail.subject).toBe('[Firing · Critical] Task <orders-sync> failed');
    expect(mail.headers.get('x-sluice-alarm-id')).toBe('a1b2c3');
    expect(mail.text).toContain('Run #42 failed after 3 attempts.');
    expect(mail.text).toContain('Task: orders-sync');
    expect(mail.html).toContain('Task &lt;orders-sync&gt; failed');
    expect(mail.html).toContain('<a href="https://sluice.example.com/alarms/a1b2c3">Open in Sluice</a>');
  });

  it('authenticates with AUTH LOGIN when that is all the server offers', async () => {
    const server = await smtpServer({ authMethods: ['LOGIN'] });
    const result = await sendToChannel(ChannelType.EMAIL, settings(server.port), { password: PASSWORD }, alarm());
    expect(result.ok).toBe(true);
    expect(server.authMethods).toEqual(['LOGIN']);
    expect(server.delivered[0]!.user).toBe(USER);
  });

  it('fails a wrong password without retry, naming the authentication failure and not the password', async () => {
    const server = await smtpServer();
    const wrong = 'not-the-Pa55word-1234';
    const result = await sendToChannel(ChannelType.EMAIL, settings(server.port), { password: wrong }, alarm());
    expect(result).toMatchObject({ ok: false, status: 535, retryable: false });
    expect(result.error).toMatch(/^SMTP authentication failed at 127\.0\.0\.1:\d+: 535 .*Invalid username or password/);
    expect(result.error).not.toContain(wrong);
    expect(server.delivered).toHaveLength(0);
  });

  it('retries a temporary rejection (4xx) but not a permanent one (5xx)', async () => {
    let code = 451;
    const server = await smtpServer({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: code }));
      },
    });
    const temporary = await sendToChannel(ChannelType.EMAIL, settings(server.port), { password: PASSWORD }, alarm());
    expect(temporary).toMatchObject({ ok: false, status: 451, retryable: true });
    expect(temporary.error).toContain('451');
    code = 550;
    const permanent = await sendToChannel(ChannelType.EMAIL, settings(server.port), { password: PASSWORD }, alarm());
    expect(permanent).toMatchObject({ ok: false, status: 550, retryable: false });
  });

  it('reports a refused connection as retryable', async () => {
    const server = await smtpServer();
    await server.stop();
    const result = await sendToChannel(ChannelType.EMAIL, settings(server.port), { password: PASSWORD }, alarm());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain(`The SMTP server 127.0.0.1:${server.port} could not be reached`);
  });

  it('refuses to send in clear text when STARTTLS is required but not offered', async () => {
    const server = await smtpServer();
    const result = await sendToChannel(
      ChannelType.EMAIL,
      settings(server.port, { requireTLS: true }),
      { password: PASSWORD },
      alarm(),
    );
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.error).toMatch(/^TLS could not be set up with 127\.0\.0\.1:\d+: STARTTLS was refused: 500 /);
    expect(server.delivered).toHaveLength(0);
  });

  it('sends without authentication to a relay that needs none', async () => {
    const server = await smtpServer({ authOptional: true });
    const result = await sendToChannel(ChannelType.EMAIL, settings(server.port, { username: undefined }), {}, alarm());
    expect(result.ok).toBe(true);
    expect(server.authMethods).toEqual([]);
    expect(server.delivered[0]!.user).toBeUndefined();
  });
});
