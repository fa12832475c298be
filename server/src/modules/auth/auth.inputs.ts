import { IsEmail, IsOptional, Length, MaxLength, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { PASSWORD_MAX_LENGTH } from './credentials.js';
import { Role } from './role.js';

@InputType()
export class LoginInput {
  @Field(() => String, { description: 'Email, or the directory login name when LDAP is configured.' })
  @Length(1, 320)
  email!: string;

  @Field(() => String)
  @Length(1, PASSWORD_MAX_LENGTH)
  password!: string;
}

@InputType()
export class ChangePasswordInput {
  @Field(() => String)
  @Length(1, PASSWORD_MAX_LENGTH)
  currentPassword!: string;

  @Field(() => String, { description: 'At least 12 characters.' })
  @Length(1, PASSWORD_MAX_LENGTH)
  newPassword!: string;
}

@InputType()
export class CreateWorkspaceInput {
  @Field(() => String)
  @Length(1, 100)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string;
}

@InputType()
export class UpdateWorkspaceInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string;
}

@InputType()
export class AddMemberInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => String, { description: 'An existing user joins; an unknown email creates a local user.' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => String, { nullable: true, description: 'For a new user; defaults to the part of the email before @.' })
  @IsOptional()
  @Length(1, 200)
  displayName?: string;

  @Field(() => String, {
    nullable: true,
    description: 'For a new user; when omitted one is generated and returned once in initialPassword.',
  })
  @IsOptional()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password?: string;
}

@InputType()
export class UpdateMemberInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => Role, { nullable: true })
  @IsOptional()
  role?: Role;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  disabled?: boolean;
}

@InputType()
export class RemoveMemberInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => ID)
  userId!: string;
}

@InputType()
export class CreateUserInput {
  @Field(() => String)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email!: string;

  @Field(() => String)
  @Length(1, 200)
  displayName!: string;

  @Field(() => String)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  superuser?: boolean;
}

@InputType()
export class UpdateUserInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  displayName?: string;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  disabled?: boolean;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  superuser?: boolean;
}

@InputType()
export class ResetUserPasswordInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => String)
  @MaxLength(PASSWORD_MAX_LENGTH)
  newPassword!: string;
}

@InputType()
export class CreateApiTokenInput {
  @Field(() => String)
  @Length(1, 100)
  name!: string;

  @Field(() => ID)
  workspaceId!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => Date, { nullable: true, description: 'Omitted: the token does not expire.' })
  @IsOptional()
  expiresAt?: Date;
}

@InputType()
export class PageInput {
  @Field(() => Int, { defaultValue: 0 })
  @Min(0)
  offset: number = 0;

  @Field(() => Int, { defaultValue: 50 })
  @Min(1)
  @Max(500)
  limit: number = 50;
}

@InputType()
export class UserFilter {
  @Field(() => String, { nullable: true, description: 'Part of the email or display name.' })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  disabled?: boolean;
}

@InputType()
export class AuditEventFilter {
  @Field(() => ID, { nullable: true, description: 'Required unless you are a superuser.' })
  @IsOptional()
  workspaceId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  actorUserId?: string;

  @Field(() => String, { nullable: true, description: 'A mutation name, e.g. addMember.' })
  @IsOptional()
  @MaxLength(100)
  action?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(64)
  targetId?: string;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  from?: Date;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  to?: Date;
}
