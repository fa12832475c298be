import { Authorized, Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum DatabaseKind {
  EMBEDDED = 'EMBEDDED',
  EXTERNAL = 'EXTERNAL',
}
registerEnumType(DatabaseKind, {
  name: 'DatabaseKind',
  description: 'EMBEDDED: the PostgreSQL Sluice started in its data directory; EXTERNAL: DATABASE_URL.',
});

@ObjectType({ description: 'The PostgreSQL this instance uses (never its credentials).' })
export class DatabaseInfo {
  @Field(() => DatabaseKind)
  kind!: DatabaseKind;

  @Field(() => String, { description: 'server_version as reported by PostgreSQL.' })
  serverVersion!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType({ description: 'Who signs in first, shown on the sign-in page until someone has signed in.' })
export class FirstLoginHint {
  @Field(() => String, { description: 'The superuser created on the first start.' })
  adminEmail!: string;

  @Field(() => Boolean, {
    description:
      "True: the password is SLUICE_ADMIN_PASSWORD; false: it was generated and printed once to the server's standard error.",
  })
  passwordFromEnvironment!: boolean;
}

@ObjectType({ description: 'The instance answering this request.' })
export class ServerInfo {
  @Field(() => String)
  version!: string;

  @Field(() => ID)
  instanceId!: string;

  @Field(() => Date)
  startedAt!: Date;

  @Authorized()
  @Field(() => DatabaseInfo, {
    nullable: true,
    description: 'Needs a signed-in caller (null with an error otherwise).',
  })
  database!: DatabaseInfo;
}
