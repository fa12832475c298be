import { Repeater } from '@graphql-yoga/subscription';
import pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * A type-graphql PubSub whose events cross processes through PostgreSQL LISTEN/NOTIFY, so a
 * subscriber on any instance receives what any instance publishes (docs/adr/0003-event-bus.md).
 *
 * - Every event goes through the database, local ones included: one path, one order.
 * - NOTIFY carries at most 8000 bytes. A larger event is stored in `event_payload` and announced
 *   by id in the same statement (so it is committed before anyone hears of it); receivers fetch it.
 *   Events are delivered to local subscribers in the order their notifications arrived.
 * - The listening connection reconnects with backoff after an error or a database restart.
 *   Notifications sent while it was away are lost: features whose events matter store them first
 *   and back-fill on `onReconnect`, as the design requires.
 */
export interface PgPubSubOptions {
  connectionString: string;
  logger: Logger;
  channel?: string;
  /** Bytes of a serialized event above which it goes through `event_payload`. */
  inlineLimit?: number;
  /** How long stored payloads are kept for slow receivers. */
  payloadRetentionMs?: number;
}

interface Envelope {
  /** topic */
  t: string;
  /** dynamic topic id, when the subscription uses one */
  k?: string;
  /** inline payload */
  p?: unknown;
  /** id of the stored payload */
  r?: string;
}

type Listener = (payload: unknown) => void;

const NOTIFY_LIMIT = 7900; // PostgreSQL's limit is 8000 bytes including the channel name

/** Structurally a type-graphql `PubSub`; `publish` returns a promise so that callers can await delivery to the bus. */
export class PgPubSub {
  private readonly channel: string;
  private readonly inlineLimit: number;
  private readonly payloadRetentionMs: number;
  private readonly pool: pg.Pool;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly reconnectHooks = new Set<() => void>();
  private client: pg.Client | undefined;
  private connected = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  /** Incoming notifications are handled one after the other, so a fetched large payload keeps its place. */
  private delivery: Promise<void> = Promise.resolve();

  constructor(private readonly options: PgPubSubOptions) {
    this.channel = options.channel ?? 'sluice_events';
    this.inlineLimit = Math.min(options.inlineLimit ?? NOTIFY_LIMIT, NOTIFY_LIMIT);
    this.payloadRetentionMs = options.payloadRetentionMs ?? 10 * 60_000;
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: 2, idleTimeoutMillis: 10_000 });
    this.pool.on('error', (err) => options.logger.warn({ err: err.message }, 'event bus pool connection lost'));
  }

  /** True while the listening connection is up (part of readiness). */
  get isConnected(): boolean {
    return this.connected;
  }

  async start(): Promise<void> {
    await this.connect();
    this.pruneTimer = setInterval(() => void this.prune(), 60_000);
    this.pruneTimer.unref();
  }

  /** Called after the listening connection came back; events published meanwhile were not heard. */
  onReconnect(hook: () => void): () => void {
    this.reconnectHooks.add(hook);
    return () => this.reconnectHooks.delete(hook);
  }

  /**
   * `publish(topic, payload)` or `publish(topic, id, payload)` as type-graphql's subscriptions expect.
   * Resolves once the event is committed to the bus.
   */
  async publish(topic: string, ...args: unknown[]): Promise<void> {
    const [id, payload] = args.length >= 2 ? [args[0], args[1]] : [undefined, args[0]];
    const envelope: Envelope = { t: topic, p: payload };
    const key = id === undefined ? undefined : topicId(id);
    if (key !== undefined) envelope.k = key;
    const text = JSON.stringify(envelope);
    if (Buffer.byteLength(text) <= this.inlineLimit) {
      await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, text]);
      return;
    }
    await this.pool.query(
      `WITH stored AS (INSERT INTO event_payload (topic, payload) VALUES ($2, $3::jsonb) RETURNING id)
       SELECT pg_notify($1, json_build_object('t', $2::text, 'k', $4::text, 'r', stored.id::text)::text) FROM stored`,
      [this.channel, topic, JSON.stringify(payload ?? null), key ?? null],
    );
  }

  /**
   * Several events of one topic (without an id) at once: those small enough to go inline in one
   * statement, in order; any larger one through `publish`.
   */
  async publishMany(topic: string, payloads: unknown[]): Promise<void> {
    const inline: string[] = [];
    for (const payload of payloads) {
      const text = JSON.stringify({ t: topic, p: payload } satisfies Envelope);
      if (Buffer.byteLength(text) <= this.inlineLimit) inline.push(text);
      else await this.publish(topic, payload);
    }
    if (inline.length === 0) return;
    await this.pool.query(
      'SELECT pg_notify($1, e.text) FROM unnest($2::text[]) WITH ORDINALITY AS e(text, n) ORDER BY e.n',
      [this.channel, inline],
    );
  }

  subscribe(topic: string, id?: unknown): AsyncIterable<unknown> {
    const key = routingKey(topic, id === undefined ? undefined : topicId(id));
    return new Repeater<unknown>(async (push, stop) => {
      const listener: Listener = (payload) => void push(payload);
      let set = this.listeners.get(key);
      if (!set) this.listeners.set(key, (set = new Set()));
      set.add(listener);
      await stop;
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    });
  }

  /** Number of live local subscriptions (for tests and metrics). */
  get subscriberCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pruneTimer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
    await this.delivery;
    await this.pool.end();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString, keepAlive: true });
    client.on('notification', (msg) => {
      if (msg.channel !== this.channel || msg.payload === undefined) return;
      const raw = msg.payload;
      this.delivery = this.delivery.then(() => this.deliver(raw));
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    await client.connect();
    await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    this.client = client;
    this.connected = true;
  }

  private lost(client: pg.Client, err?: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    this.connected = false;
    this.options.logger.warn({ err: err?.message }, 'event bus lost its database connection; reconnecting');
    client.end().catch(() => undefined);
    this.scheduleReconnect(100);
  }

  private scheduleReconnect(delay: number): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.connect().then(
        () => {
          this.options.logger.info('event bus reconnected');
          for (const hook of this.reconnectHooks) {
            try {
              hook();
            } catch (err) {
              this.options.logger.error({ err }, 'event bus reconnect hook failed');
            }
          }
        },
        (err: Error) => {
          this.options.logger.debug({ err: err.message }, 'event bus reconnect attempt failed');
          this.scheduleReconnect(Math.min(delay * 2, 5000));
        },
      );
    }, delay);
  }

  private async deliver(raw: string): Promise<void> {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      this.options.logger.warn('ignored a malformed event-bus notification');
      return;
    }
    const listeners = this.listeners.get(routingKey(envelope.t, envelope.k ?? undefined));
    if (!listeners || listeners.size === 0) return;
    let payload = envelope.p;
    if (envelope.r !== undefined) {
      try {
        const { rows } = await this.pool.query<{ payload: unknown }>(
          'SELECT payload FROM event_payload WHERE id = $1',
          [envelope.r],
        );
        if (rows.length === 0) {
          this.options.logger.warn(
            { topic: envelope.t, id: envelope.r },
            'a stored event payload expired before delivery',
          );
          return;
        }
        payload = rows[0]!.payload;
      } catch (err) {
        this.options.logger.error({ err, topic: envelope.t }, 'could not fetch a stored event payload');
        return;
      }
    }
    for (const listener of [...listeners]) listener(payload);
  }

  private async prune(): Promise<void> {
    try {
      await this.pool.query("DELETE FROM event_payload WHERE created_at < now() - $1 * interval '1 millisecond'", [
        this.payloadRetentionMs,
      ]);
    } catch (err) {
      this.options.logger.debug({ err: (err as Error).message }, 'event payload pruning failed');
    }
  }
}

/** A subscription's dynamic id as text: strings and numbers as they are, anything else as JSON. */
function topicId(id: unknown): string {
  return typeof id === 'string'
    ? id
    : typeof id === 'number' || typeof id === 'bigint'
      ? id.toString()
      : JSON.stringify(id);
}

function routingKey(topic: string, id: string | undefined): string {
  return id === undefined ? topic : `${topic}\u0000${id}`;
}
