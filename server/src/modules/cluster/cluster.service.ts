import os from 'node:os';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger.js';
import { NotFoundError } from '../../errors.js';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import { Topic, type ServerInstanceChangedEvent } from '../../events/topics.js';
import { InstanceStatus, ServerInstance } from './server-instance.entity.js';

export interface ClusterServiceOptions {
  instanceId: string;
  version: string;
  heartbeatIntervalMs: number;
  instanceTimeoutMs: number;
  /** Instances DOWN for longer than this are forgotten. */
  forgetAfterMs?: number;
}

/**
 * This instance's membership in the cluster: it registers, heartbeats, notices other instances
 * whose heartbeat went stale, and announces every change on the event bus.
 */
export class ClusterService {
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  readonly startedAt = new Date();

  constructor(
    private readonly em: EntityManager,
    private readonly pubSub: PgPubSub,
    private readonly logger: Logger,
    private readonly options: ClusterServiceOptions,
  ) {}

  get instanceId(): string {
    return this.options.instanceId;
  }

  async register(info: { name: string; address: string }): Promise<void> {
    const em = this.em.fork();
    const now = new Date();
    em.create(ServerInstance, {
      id: this.options.instanceId,
      name: info.name,
      address: info.address,
      host: os.hostname(),
      pid: process.pid,
      version: this.options.version,
      nodeVersion: process.version,
      startedAt: this.startedAt,
      lastHeartbeatAt: now,
      rssBytes: process.memoryUsage.rss(),
      loadAverage: os.loadavg()[0] ?? 0,
    });
    await em.flush();
    await this.announce(this.options.instanceId);
    this.logger.info({ instanceId: this.options.instanceId, instanceName: info.name }, 'registered in the cluster');
  }

  startHeartbeat(): void {
    this.heartbeatTimer = setInterval(() => {
      this.beating = this.beating.then(() => this.heartbeat());
    }, this.options.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  /** Records that this instance is alive, and marks stale instances DOWN (each exactly once, by whoever sees it first). */
  async heartbeat(): Promise<void> {
    try {
      const conn = this.em.getConnection();
      const [mine] = await conn.execute<{ revived: boolean }[]>(
        `UPDATE server_instance AS s SET last_heartbeat_at = now(), rss_bytes = ?, load_average = ?,
           status = 'UP', stopped_at = NULL
         FROM (SELECT status FROM server_instance WHERE id = ?) AS before
         WHERE s.id = ? RETURNING before.status = 'DOWN' AS revived`,
        [process.memoryUsage.rss(), os.loadavg()[0] ?? 0, this.options.instanceId, this.options.instanceId],
      );
      if (mine?.revived) {
        this.logger.warn('this instance had been marked DOWN (heartbeats were late); it is UP again');
        await this.announce(this.options.instanceId);
      }
      const stale = await conn.execute<{ id: string; name: string }[]>(
        `UPDATE server_instance SET status = 'DOWN'
         WHERE status = 'UP' AND last_heartbeat_at < now() - ? * interval '1 millisecond'
         RETURNING id, name`,
        [this.options.instanceTimeoutMs],
      );
      for (const s of stale) {
        this.logger.warn(
          { instanceId: s.id, instanceName: s.name },
          'a server instance stopped heartbeating; marked DOWN',
        );
        await this.announce(s.id);
      }
      await conn.execute(
        `DELETE FROM server_instance WHERE status = 'DOWN' AND last_heartbeat_at < now() - ? * interval '1 millisecond'`,
        [this.options.forgetAfterMs ?? 7 * 24 * 3600_000],
      );
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'heartbeat failed');
    }
  }

  /** Leaves the cluster cleanly: DOWN at once, not after the timeout. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    await this.beating;
    try {
      await this.em
        .getConnection()
        .execute(`UPDATE server_instance SET status = 'DOWN', stopped_at = now() WHERE id = ?`, [
          this.options.instanceId,
        ]);
      await this.announce(this.options.instanceId);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not record this instance as stopped');
    }
  }

  async list(em: EntityManager, filter: { status?: InstanceStatus } = {}): Promise<ServerInstance[]> {
    const all = await em.find(ServerInstance, {}, { orderBy: { startedAt: 'ASC', id: 'ASC' } });
    return filter.status ? all.filter((i) => this.effectiveStatus(i) === filter.status) : all;
  }

  async get(em: EntityManager, id: string): Promise<ServerInstance> {
    const instance = await em.findOne(ServerInstance, { id });
    if (!instance) throw new NotFoundError('ServerInstance', id);
    return instance;
  }

  /** DOWN when stopped, marked DOWN, or not heard of within the timeout (even before anyone marked it). */
  effectiveStatus(instance: ServerInstance): InstanceStatus {
    if (instance.status === InstanceStatus.DOWN || instance.stoppedAt) return InstanceStatus.DOWN;
    const age = Date.now() - instance.lastHeartbeatAt.getTime();
    return age > this.options.instanceTimeoutMs ? InstanceStatus.DOWN : InstanceStatus.UP;
  }

  private async announce(id: string): Promise<void> {
    const event: ServerInstanceChangedEvent = { id };
    await this.pubSub.publish(Topic.SERVER_INSTANCE_CHANGED, event);
  }
}
