import { BigIntType, OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum InstanceStatus {
  UP = 'UP',
  DOWN = 'DOWN',
}
registerEnumType(InstanceStatus, {
  name: 'InstanceStatus',
  description: 'UP while the instance heartbeats; DOWN once it stopped or its heartbeat is stale.',
});

/** One running (or once running) Sluice server process. Every instance is equal: API, scheduler and executor. */
@Entity({ tableName: 'server_instance' })
@ObjectType({ description: 'A Sluice server process; all instances on one database form the cluster.' })
export class ServerInstance {
  [OptionalProps]?: 'stoppedAt' | 'status';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'string', length: 255 })
  @Field(() => String, { description: 'SLUICE_INSTANCE_NAME, or host:port.' })
  name!: string;

  @Property({ type: 'string', length: 255 })
  @Field(() => String)
  host!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  pid!: number;

  @Property({ type: 'string', length: 512 })
  @Field(() => String, { description: 'Where this instance serves the API.' })
  address!: string;

  @Property({ type: 'string', length: 64 })
  @Field(() => String, { description: 'Sluice version.' })
  version!: string;

  @Property({ type: 'string', length: 64 })
  @Field(() => String)
  nodeVersion!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  startedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  lastHeartbeatAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true, description: 'Set when the instance shut down cleanly.' })
  stoppedAt: Date | null = null;

  /** Stored so that exactly one instance announces another's death; read through `effectiveStatus`. */
  @Property({ type: 'string', length: 8 })
  status: InstanceStatus = InstanceStatus.UP;

  @Property({ type: new BigIntType('number'), columnType: 'bigint' })
  @Field(() => Float, { description: 'Resident memory of the process at the last heartbeat, in bytes.' })
  rssBytes!: number;

  @Property({ type: 'double', columnType: 'double precision' })
  @Field(() => Float, { description: 'One-minute load average of the host at the last heartbeat.' })
  loadAverage!: number;
}
