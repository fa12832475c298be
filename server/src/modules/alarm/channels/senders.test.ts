import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelType } from './channel-types.js';
import { renderWebhookPayload, type AlarmMessage } from './message.js';
import { maskUrl, secretStrings } from './redact.js';
import { sendToChannel, type DeliveryResult } from './senders.js';

interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

type Responder = (request: Received, response: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 that records each request and answers with `respond`. */
async function receiver(respond: Responder = json(200, { ok: true })) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: Received = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      state.respond(request, res);
    });
  });
  const state = { respond };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  servers.push(stop);
  return { base, received, answer: (r: Responder) => (state.respond = r), stop };
}

const servers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((stop) => stop().catch(() => undefined)));
});

function json(status: number, body: unknown): Responder {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

function text(status: number, body: string): Responder {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  };
}

/** Answers with everything the request carried (URL, headers, body): a server that leaks. */
const echo =
  (status: number): Responder =>
  (req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.path, query: req.query.toString(), headers: req.headers, body: req.body }));
  };

/** Never answers: the client has to give up. */
const hang: Responder = () => undefined;

function alarm(overrides: Partial<AlarmMessage> = {}): AlarmMessage {
  return {
    kind: 'FIRING',
    severity: 'CRITICAL',
    title: 'Task orders-sync failed',
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

/** Asserts that no secret (nor the token parts of a secret URL) shows in what a delivery reports. */
function expectNoSecrets(result: DeliveryResult, secrets: Record<string, unknown>): void {
  const reported = `${result.error ?? ''}\n${result.response ?? ''}`;
  for (const secret of secretStrings(secrets)) expect(reported).not.toContain(secret);
}

async function closedPort(): Promise<string> {
  const { base, stop } = await receiver();
  await stop();
  return base;
}

describe('WEBHOOK channel', () => {
  const secrets = (base: string) => ({
    url: `${base}/hooks/in-4f7c2e9ab81d?token=tok-9d8e7f6a5b`,
    headers: { Authorization: 'Bearer hdr-1a2b3c4d5e', 'X-Team': 'data' },
    hmacSecret: 'hmac-6f5e4d3c2b1a',
  });

  it('posts the alarm JSON with the custom headers and a signature the receiver can verify', async () => {
    const server = await receiver(text(204, ''));
    const before = Math.floor(Date.now() / 1000);
    const result = await sendToChannel(ChannelType.WEBHOOK, { method: 'PUT' }, secrets(server.base), alarm());
    expect(result).toMatchObject({ ok: true, status: 204, retryable: false });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);

    const [request] = server.received;
    expect(request).toMatchObject({ method: 'PUT', path: '/hooks/in-4f7c2e9ab81d' });
    expect(request!.query.get('token')).toBe('tok-9d8e7f6a5b');
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      authorization: 'Bearer hdr-1a2b3c4d5e',
      'x-team': 'data',
    });
    expect(request!.headers['user-agent']).toMatch(/^Sluice\/\d+\.\d+\.\d+/);
    expect(JSON.parse(request!.body)).toEqual(JSON.parse(JSON.stringify(renderWebhookPayload(alarm()))));

    const timestamp = Number(request!.headers['x-sluice-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const expected = Buffer.from(
      `sha256=${createHmac('sha256', 'hmac-6f5e4d3c2b1a').update(`${timestamp}.${request!.body}`).digest('hex')}`,
    );
    const signature = Buffer.from(String(request!.headers['x-sluice-signature']));
    expect(signature.length).toBe(expected.length);
    expect(timingSafeEqual(signature, expected)).toBe(true);
  });

  it('sends no signature headers without an HMAC secret, and POSTs by default', async () => {
    const server = await receiver(text(200, 'thanks'));
    const result = await sendToChannel(ChannelType.WEBHOOK, {}, { url: `${server.base}/in` }, alarm());
    expect(result).toMatchObject({ ok: true, status: 200, response: 'thanks' });
    expect(server.received[0]!.method).toBe('POST');
    expect(server.received[0]!.headers['x-sluice-signature']).toBeUndefined();
    expect(server.received[0]!.headers['x-sluice-timestamp']).toBeUndefined();
  });

  it('counts 5xx, 429 and 408 as retryable and other 4xx as final', async () => {
    const server = await receiver();
    const cases: [number, boolean][] = [
      [500, true],
      [503, true],
      [429, true],
      [408, true],
      [400, false],
      [401, false],
      [404, false],
    ];
    for (const [status, retryable] of cases) {
      server.answer(text(status, `status ${status}`));
      const result = await sendToChannel(ChannelType.WEBHOOK, {}, { url: `${server.base}/in` }, alarm());
      expect(result, `HTTP ${status}`).toMatchObject({ ok: false, status, retryable, response: `status ${status}` });
      expect(result.error).toBe(`The webhook answered HTTP ${status} at ${server.base}/***: status ${status}`);
    }
  });

  it('keeps at most 2 KB of the response', async () => {
    const server = await receiver(text(500, 'x'.repeat(10_000)));
    const result = await sendToChannel(ChannelType.WEBHOOK, {}, { url: `${server.base}/in` }, alarm());
    expect(Buffer.byteLength(result.response!)).toBeLessThanOrEqual(2048);
    expect(result.response!.endsWith('…')).toBe(true);
  });

  it('gives up after the timeout with a retryable failure', async () => {
    const server = await receiver(hang);
    const result = await sendToChannel(ChannelType.WEBHOOK, {}, secrets(server.base), alarm(), { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.status).toBeUndefined();
    expect(result.error).toBe(`The webhook did not answer within 300 ms (${server.base}/***)`);
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expectNoSecrets(result, secrets(server.base));
  });

  it('uses the channel timeout setting when the caller gives none', async () => {
    const server = await receiver(hang);
    const result = await sendToChannel(ChannelType.WEBHOOK, { timeoutMs: 1000 }, { url: `${server.base}/in` }, alarm());
    expect(result.error).toContain('did not answer within 1000 ms');
  });

  it('reports a refused connection as retryable, without the URL token', async () => {
    const base = await closedPort();
    const result = await sendToChannel(ChannelType.WEBHOOK, {}, secrets(base), alarm());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toBe(`The webhook could not be reached at ${base}/***: connection refused (ECONNREFUSED)`);
    expectNoSecrets(result, secrets(base));
  });

  it('reports a cancelled delivery as retryable', async () => {
    const server = await receiver(hang);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await sendToChannel(ChannelType.WEBHOOK, {}, secrets(server.base), alarm(), {
      signal: controller.signal,
    });
    expect(result).toMatchObject({ ok: false, retryable: true, error: 'The delivery was cancelled' });
  });

  it('masks every secret a leaky server echoes back', async () => {
    const server = await receiver(echo(500));
    const result = await sendToChannel(ChannelType.WEBHOOK, {}, secrets(server.base), alarm());
    expect(result).toMatchObject({ ok: false, status: 500, retryable: true });
    expect(result.response).toContain('***');
    expectNoSecrets(result, secrets(server.base));
  });

  it('does not follow redirects, which would turn the POST into a GET', async () => {
    const server = await receiver((_req, res) => {
      res.writeHead(301, { location: '/elsewhere' });
      res.end();
    });
    const result = await sendToChannel(ChannelType.WEBHOOK, {}, secrets(server.base), alarm());
    expect(result).toMatchObject({ ok: false, status: 301, retryable: false });
    expect(result.error).toContain('redirect (HTTP 301)');
    expect(server.received).toHaveLength(1);
  });

  it('fails without retry, and without sending, when the stored config is invalid', async () => {
    const result = await sendToChannel(ChannelType.WEBHOOK, {}, { url: 'not a url tok-9d8e7f6a5b' }, alarm());
    expect(result).toEqual({
      ok: false,
      error: "The channel's configuration is invalid: url must be an http(s) URL",
      retryable: false,
      durationMs: expect.any(Number),
    });
  });
});

describe('SLACK channel', () => {
  it('posts Block Kit blocks with a text fallback and accepts Slack\'s "ok"', async () => {
    const server = await receiver(text(200, 'ok'));
    const url = `${server.base}/services/T0000/B0000/slackTokenAbcdefghijkl`;
    const result = await sendToChannel(ChannelType.SLACK, {}, { url }, alarm());
    expect(result).toMatchObject({ ok: true, status: 200, response: 'ok' });
    const body = JSON.parse(server.received[0]!.body) as { text: string; blocks: { type: string }[] };
    expect(server.received[0]!.path).toBe('/services/T0000/B0000/slackTokenAbcdefghijkl');
    expect(body.text).toBe('[Firing · Critical] Task orders-sync failed: Run #42 failed after 3 attempts.');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(body.blocks[2]).toEqual({ type: 'section', fields: [{ type: 'mrkdwn', text: '*Task*\norders-sync' }] });
  });

  it("passes on Slack's error name; a removed webhook is final, rate limiting is retryable", async () => {
    const server = await receiver(text(404, 'no_service'));
    const url = `${server.base}/services/T0000/B0000/slackTokenAbcdefghijkl`;
    const gone = await sendToChannel(ChannelType.SLACK, {}, { url }, alarm());
    expect(gone).toMatchObject({ ok: false, status: 404, retryable: false, response: 'no_service' });
    expect(gone.error).toBe(`Slack answered HTTP 404 at ${server.base}/***: no_service`);
    expectNoSecrets(gone, { url });
    server.answer(text(429, 'rate_limited'));
    expect(await sendToChannel(ChannelType.SLACK, {}, { url }, alarm())).toMatchObject({ ok: false, retryable: true });
  });
});

describe('DINGTALK channel', () => {
  const secret = 'SECdingtalk0123456789abcdef';
  const secrets = (base: string) => ({
    url: `${base}/robot/send?access_token=dtToken0123456789abcdef`,
    signingSecret: secret,
  });

  it('signs the URL the way DingTalk checks it and posts a markdown message', async () => {
    const server = await receiver(json(200, { errcode: 0, errmsg: 'ok' }));
    const before = Date.now();
    const result = await sendToChannel(ChannelType.DINGTALK, {}, secrets(server.base), alarm());
    expect(result).toMatchObject({ ok: true, status: 200, retryable: false, response: '{"errcode":0,"errmsg":"ok"}' });

    const [request] = server.received;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/robot/send');
    expect(request!.query.get('access_token')).toBe('dtToken0123456789abcdef');
    const timestamp = request!.query.get('timestamp')!;
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(Date.now());
    // URLSearchParams has already undone the URL encoding of the base64 sign.
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    expect(request!.query.get('sign')).toBe(expected);

    const body = JSON.parse(request!.body) as { msgtype: string; markdown: { title: string; text: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('[Firing · Critical] Task orders-sync failed');
    expect(body.markdown.text).toContain('### 🔴 Task orders-sync failed\n\n**Firing** · Severity: Critical');
    expect(body.markdown.text).toContain('- **Task:** orders-sync');
  });

  it('sends without sign parameters when no signing secret is set', async () => {
    const server = await receiver(json(200, { errcode: 0, errmsg: 'ok' }));
    await sendToChannel(ChannelType.DINGTALK, {}, { url: secrets(server.base).url }, alarm());
    expect([...server.received[0]!.query.keys()]).toEqual(['access_token']);
  });

  it('fails on a non-zero errcode, retrying only the rate limit', async () => {
    const server = await receiver(json(200, { errcode: 310000, errmsg: 'keywords not in content' }));
    const refused = await sendToChannel(ChannelType.DINGTALK, {}, secrets(server.base), alarm());
    expect(refused).toMatchObject({
      ok: false,
      status: 200,
      retryable: false,
      error: 'DingTalk refused the message with code 310000: keywords not in content',
    });
    server.answer(json(200, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }));
    expect(await sendToChannel(ChannelType.DINGTALK, {}, secrets(server.base), alarm())).toMatchObject({
      ok: false,
      retryable: true,
      error: 'DingTalk refused the message with code 130101: send too fast, exceed 20 times per minute',
    });
    server.answer(text(200, '<html>proxy</html>'));
    expect(await sendToChannel(ChannelType.DINGTALK, {}, secrets(server.base), alarm())).toMatchObject({
      ok: false,
      retryable: false,
      error: `DingTalk answered HTTP 200 at ${server.base}/*** without a result code`,
    });
  });

  it('retries a 500 and keeps the access token and sign out of what it reports', async () => {
    const server = await receiver(echo(500));
    const result = await sendToChannel(ChannelType.DINGTALK, {}, secrets(server.base), alarm());
    expect(result).toMatchObject({ ok: false, status: 500, retryable: true });
    expectNoSecrets(result, secrets(server.base));
    expect(result.response).not.toContain('dtToken');
  });
});

describe('FEISHU channel', () => {
  const secret = 'feishuSigningSecret42';
  const secrets = (base: string) => ({
    url: `${base}/open-apis/bot/v2/hook/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
    signingSecret: secret,
  });

  it('adds the timestamp and sign Feishu checks, and posts a card', async () => {
    const server = await receiver(json(200, { code: 0, data: {}, msg: 'success' }));
    const before = Math.floor(Date.now() / 1000);
    const result = await sendToChannel(ChannelType.FEISHU, {}, secrets(server.base), alarm());
    expect(result).toMatchObject({ ok: true, status: 200 });

    const body = JSON.parse(server.received[0]!.body) as Record<string, unknown>;
    expect(typeof body.timestamp).toBe('string');
    const timestamp = Number(body.timestamp);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // Feishu's scheme: the key is "timestamp\nsecret", the signed message is empty.
    expect(body.sign).toBe(createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64'));
    expect(body).toMatchObject({
      msg_type: 'interactive',
      card: { header: { title: { tag: 'plain_text', content: '🔴 [Firing · Critical] Task orders-sync failed' } } },
    });
  });

  it('posts rich text when configured, unsigned without a secret, and accepts the older StatusCode answer', async () => {
    const server = await receiver(json(200, { StatusCode: 0, StatusMessage: 'success' }));
    const url = secrets(server.base).url;
    const result = await sendToChannel(ChannelType.FEISHU, { messageFormat: 'POST' }, { url }, alarm());
    expect(result.ok).toBe(true);
    const body = JSON.parse(server.received[0]!.body) as Record<string, unknown>;
    expect(body.msg_type).toBe('post');
    expect(body.sign).toBeUndefined();
    expect(body.timestamp).toBeUndefined();
  });

  it('fails on a non-zero code, retrying only the frequency limit', async () => {
    const server = await receiver(
      json(200, { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' }),
    );
    expect(await sendToChannel(ChannelType.FEISHU, {}, secrets(server.base), alarm())).toMatchObject({
      ok: false,
      retryable: false,
      error:
        'Feishu refused the message with code 19021: sign match fail or timestamp is not within one hour from current time',
    });
    server.answer(json(400, { code: 11232, msg: 'frequency limited' }));
    expect(await sendToChannel(ChannelType.FEISHU, {}, secrets(server.base), alarm())).toMatchObject({
      ok: false,
      status: 400,
      retryable: true,
    });
    server.answer(json(400, { code: 9499, msg: 'Bad Request' }));
    expect(await sendToChannel(ChannelType.FEISHU, {}, secrets(server.base), alarm())).toMatchObject({
      ok: false,
      retryable: false,
    });
  });

  it('keeps the hook id out of what it reports', async () => {
    const server = await receiver(echo(503));
    const result = await sendToChannel(ChannelType.FEISHU, {}, secrets(server.base), alarm());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expectNoSecrets(result, secrets(server.base));
  });
});

describe('WECOM channel', () => {
  const secrets = (base: string) => ({ url: `${base}/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa` });

  it('posts a markdown message and accepts errcode 0', async () => {
    const server = await receiver(json(200, { errcode: 0, errmsg: 'ok' }));
    const result = await sendToChannel(ChannelType.WECOM, {}, secrets(server.base), alarm({ severity: 'INFO' }));
    expect(result).toMatchObject({ ok: true, status: 200 });
    const [request] = server.received;
    expect(request!.query.get('key')).toBe('693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa');
    const body = JSON.parse(request!.body) as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toContain('**Firing** · Severity: <font color="comment">Info</font>');
  });

  it('fails on a non-zero errcode, retrying only the rate limit', async () => {
    const server = await receiver(json(200, { errcode: 93000, errmsg: 'invalid webhook url' }));
    const refused = await sendToChannel(ChannelType.WECOM, {}, secrets(server.base), alarm());
    expect(refused).toMatchObject({
      ok: false,
      retryable: false,
      error: 'WeCom refused the message with code 93000: invalid webhook url',
    });
    server.answer(json(200, { errcode: 45009, errmsg: 'api freq out of limit' }));
    expect(await sendToChannel(ChannelType.WECOM, {}, secrets(server.base), alarm())).toMatchObject({
      ok: false,
      retryable: true,
    });
  });

  it('reports a refused connection as retryable, without the key', async () => {
    const base = await closedPort();
    const result = await sendToChannel(ChannelType.WECOM, {}, secrets(base), alarm());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result.error).toContain('WeCom could not be reached');
    expectNoSecrets(result, secrets(base));
  });
});

describe('secret masking', () => {
  it('shows a URL as its origin only', () => {
    expect(maskUrl('https://hooks.slack.com/services/T0/B0/XYZ')).toBe('https://hooks.slack.com/***');
    expect(maskUrl('https://oapi.dingtalk.com/robot/send?access_token=abc')).toBe('https://oapi.dingtalk.com/***');
    expect(maskUrl('https://user:pw@example.com')).toBe('https://example.com/***');
    expect(maskUrl('https://example.com')).toBe('https://example.com');
    expect(maskUrl('garbage')).toBe('***');
  });

  it('finds the token parts of secret URLs', () => {
    const found = secretStrings({
      url: 'https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c-4b5a-6978',
      headers: { Authorization: 'Bearer abcdef' },
    });
    expect(found).toContain('0f1e2d3c-4b5a-6978');
    expect(found).toContain('Bearer abcdef');
    expect(found).not.toContain('open-apis');
  });
});
