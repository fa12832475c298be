import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { JobConfig } from '../job-config/index.js';
import { TaskEngine, TaskMode } from './task.enums.js';
import type { Hook, RunPolicy, TaskVariable } from './task.model.js';

export { TaskEngine, TaskMode };

registerEnumType(TaskMode, { name: 'TaskMode', description: "From the config's env job.mode (BATCH when absent)." });

registerEnumType(TaskEngine, {
  name: 'TaskEngine',
  description:
    "EMBEDDED runs inside Sluice; SEATUNNEL submits to a SeaTunnel Zeta cluster (any of SeaTunnel's plugins).",
});

/** What every version snapshots: everything that decides what a run does. */
export interface TaskContent {
  config: JobConfig;
  mode: TaskMode;
  engine: TaskEngine;
  variables: TaskVariable[];
  preHooks: Hook[];
  postHooks: Hook[];
  runPolicy: RunPolicy;
}

/** One data-integration job in the SeaTunnel model; its current state is the latest of its versions. */
@Entity({ tableName: 'task' })
@ObjectType({
  description: 'A data-integration job (env, sources, transforms, sinks) with its variables, hooks and run policy.',
})
export class Task {
  [OptionalProps]?: 'description' | 'tags' | 'sealedSecrets' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  @Field(() => ID)
  workspaceId!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  description = '';

  @Property({ type: 'json' })
  @Field(() => [String])
  tags: string[] = [];

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  ownerId: string | null = null;

  @Property({ type: 'string', length: 10 })
  @Field(() => TaskMode)
  mode!: TaskMode;

  @Property({ type: 'string', length: 10 })
  @Field(() => TaskEngine)
  engine!: TaskEngine;

  /** `json`, not `jsonb`: the options keep the order they were written in. */
  @Property({ type: 'json', columnType: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'The structured config: { env, source, transform, sink, other }.' })
  config!: JobConfig;

  @Property({ type: 'json' })
  variables: TaskVariable[] = [];

  @Property({ type: 'json' })
  preHooks: Hook[] = [];

  @Property({ type: 'json' })
  postHooks: Hook[] = [];

  @Property({ type: 'json' })
  runPolicy!: RunPolicy;

  /** Values of secret variables (name → value), sealed; never exposed or exported. */
  @Property({ type: 'blob', nullable: true, hidden: true, lazy: true })
  sealedSecrets: Buffer | null = null;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'The number of the current version.' })
  version!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();
}

/** An immutable snapshot, made by every save (and by a rollback, which copies an older one). */
@Entity({ tableName: 'task_version' })
@Unique({ properties: ['task', 'number'] })
@ObjectType({ description: 'An immutable saved state of a task.' })
export class TaskVersion {
  [OptionalProps]?: 'createdAt' | 'message';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @ManyToOne({ entity: () => Task, deleteRule: 'cascade' })
  task!: Task;

  @Property({ type: 'integer' })
  @Field(() => Int)
  number!: number;

  @Property({ type: 'json', columnType: 'json' })
  content!: TaskContent;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  authorId: string | null = null;

  @Property({ type: 'text' })
  @Field(() => String)
  message = '';

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();
}
