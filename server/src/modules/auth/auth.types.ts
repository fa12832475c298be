import { Field, Int, ObjectType } from 'type-graphql';
import { AccessToken } from './access-token.entity.js';
import { AuditEvent } from './audit-event.entity.js';
import { Membership } from './membership.entity.js';
import { User } from './user.entity.js';

@ObjectType()
export class LoginResult {
  @Field(() => String, {
    description: 'Send as "Authorization: Bearer <token>" (HTTP) or connectionParams.authorization (WebSocket).',
  })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => User)
  user!: User;
}

@ObjectType()
export class AddMemberResult {
  @Field(() => Membership)
  membership!: Membership;

  @Field(() => String, {
    nullable: true,
    description: 'The generated password of a newly created user, shown this once.',
  })
  initialPassword!: string | null;
}

@ObjectType()
export class CreatedApiToken {
  @Field(() => AccessToken)
  apiToken!: AccessToken;

  @Field(() => String, { description: 'The secret, shown this once: only a hash is stored.' })
  token!: string;
}

@ObjectType()
export class UserPage {
  @Field(() => [User])
  items!: User[];

  @Field(() => Int)
  total!: number;
}

@ObjectType()
export class AuditEventPage {
  @Field(() => [AuditEvent])
  items!: AuditEvent[];

  @Field(() => Int)
  total!: number;
}
