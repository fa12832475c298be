import { IsIn, IsInt, IsOptional, IsUrl, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum HookKind {
  SQL = 'SQL',
  HTTP = 'HTTP',
}
registerEnumType(HookKind, { name: 'HookKind', description: 'SQL: a statement on a datasource; HTTP: a request.' });

export enum HookFailurePolicy {
  FAIL = 'FAIL',
  CONTINUE = 'CONTINUE',
}
registerEnumType(HookFailurePolicy, {
  name: 'HookFailurePolicy',
  description: 'FAIL ends the run as failed; CONTINUE logs the failure and goes on.',
});

export enum ConcurrencyPolicy {
  ALLOW = 'ALLOW',
  SKIP_IF_RUNNING = 'SKIP_IF_RUNNING',
  QUEUE = 'QUEUE',
}
registerEnumType(ConcurrencyPolicy, {
  name: 'ConcurrencyPolicy',
  description: 'When a run starts while another of the same task is running: run both, skip the new one, or queue it.',
});

const VARIABLE_NAME = /^[A-Za-z_][\w.-]{0,99}$/;
/** "0", or a signed whole number and a unit: "-1d", "+2h", "-1M". */
export const DATA_TIME_OFFSET = /^(?:0|[+-]?\d{1,6}[smhdwMy])$/;
/** At least one token outside quoted text. */
const DATA_TIME_FORMAT = /^(?:'[^']*'|[^'])*?[yMdHhms]/;

@ObjectType({ description: 'A ${name} the config uses; secret ones keep their value sealed and never show it.' })
@InputType('TaskVariableInput')
export class TaskVariable {
  @Field(() => String)
  @Matches(VARIABLE_NAME, { message: 'name must start with a letter or _ and contain letters, digits, _ . -' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Used when a run gives no value (never shown for a secret).' })
  @IsOptional()
  @MaxLength(10_000)
  default?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(1000)
  description?: string | null;

  @Field(() => Boolean, { defaultValue: false })
  secret: boolean = false;
}

@ObjectType({ description: 'A step run before (pre) or after (post) the engine.' })
@InputType('HookInput')
export class Hook {
  @Field(() => HookKind)
  kind!: HookKind;

  @Field(() => String, { nullable: true, description: 'SQL: the datasource (name or id) to run the statement on.' })
  @IsOptional()
  @Length(1, 100)
  datasource?: string | null;

  @Field(() => String, { nullable: true, description: 'SQL: the statement.' })
  @IsOptional()
  @MaxLength(100_000)
  sql?: string | null;

  @Field(() => String, { nullable: true, description: 'HTTP: the URL (http or https).' })
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_tld: false, require_protocol: true },
    { message: 'url must be an http(s) URL' },
  )
  url?: string | null;

  @Field(() => String, { nullable: true, description: 'HTTP: GET, POST, PUT, PATCH or DELETE (POST by default).' })
  @IsOptional()
  @IsIn(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
  method?: string | null;

  @Field(() => String, { nullable: true, description: 'HTTP: the request body.' })
  @IsOptional()
  @MaxLength(100_000)
  body?: string | null;

  @Field(() => Int, { defaultValue: 60 })
  @IsInt()
  @Min(1)
  @Max(86_400)
  timeoutSeconds: number = 60;

  @Field(() => HookFailurePolicy, { defaultValue: HookFailurePolicy.FAIL })
  onFailure: HookFailurePolicy = HookFailurePolicy.FAIL;
}

@ObjectType({ description: 'How runs of the task behave.' })
@InputType('RunPolicyInput')
export class RunPolicy {
  @Field(() => Int, {
    nullable: true,
    description: 'A run still going after this many seconds ends as TIMED_OUT; null: no limit.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  timeoutSeconds?: number | null;

  @Field(() => Int, { defaultValue: 0, description: 'Further attempts after a failure.' })
  @IsInt()
  @Min(0)
  @Max(20)
  maxRetries: number = 0;

  @Field(() => Int, { defaultValue: 30, description: 'Wait before the first retry; doubled for each further one.' })
  @IsInt()
  @Min(1)
  @Max(86_400)
  retryBackoffSeconds: number = 30;

  @Field(() => ConcurrencyPolicy, { defaultValue: ConcurrencyPolicy.ALLOW })
  concurrency: ConcurrencyPolicy = ConcurrencyPolicy.ALLOW;

  @Field(() => String, {
    defaultValue: '0',
    description:
      "Scheduled and backfill runs: ${data_time} is the occurrence moved by this much, in the schedule's zone: " +
      '0, or a signed whole number and a unit s, m, h, d, w, M (months), y, e.g. "-1d" for the day before.',
  })
  @Matches(DATA_TIME_OFFSET, {
    message: 'dataTimeOffset must be 0 or a signed number and a unit s m h d w M y, e.g. -1d',
  })
  dataTimeOffset: string = '0';

  @Field(() => String, {
    defaultValue: 'yyyy-MM-dd',
    description:
      "How ${data_time} is written, in the schedule's zone: yyyy MM dd HH mm ss (and the other Luxon tokens); " +
      'text in single quotes is kept, e.g. "yyyyMMdd" or "yyyy-MM-dd\'T\'HH:mm".',
  })
  @Length(1, 64)
  @Matches(DATA_TIME_FORMAT, { message: 'dataTimeFormat must contain a date or time token such as yyyy, MM, dd or HH' })
  dataTimeFormat: string = 'yyyy-MM-dd';
}

export const DEFAULT_RUN_POLICY: RunPolicy = {
  timeoutSeconds: null,
  maxRetries: 0,
  retryBackoffSeconds: 30,
  concurrency: ConcurrencyPolicy.ALLOW,
  dataTimeOffset: '0',
  dataTimeFormat: 'yyyy-MM-dd',
};
