import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { CreateUserInput, PageInput, ResetUserPasswordInput, UpdateUserInput, UserFilter } from './auth.inputs.js';
import { UserPage } from './auth.types.js';
import { Membership } from './membership.entity.js';
import { SUPERUSER } from './role.js';
import { User } from './user.entity.js';
import { UserService } from './user.service.js';

@Resolver(() => User)
export class UserResolver {
  constructor(private readonly userService: UserService) {}

  @Authorized(SUPERUSER)
  @Query(() => UserPage)
  users(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => UserFilter, { nullable: true }) filter?: UserFilter,
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ): Promise<UserPage> {
    return this.userService.list(ctx.em(), ctx.auth(), filter ?? {}, page ?? { offset: 0, limit: 50 });
  }

  @Authorized(SUPERUSER)
  @Mutation(() => User, { description: 'Creates a local account (add it to workspaces with addMember).' })
  createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: GraphQLContext): Promise<User> {
    return this.userService.create(ctx.em(), ctx.auth(), input);
  }

  @Authorized()
  @Mutation(() => User, { description: 'Superusers change any account; anyone may change their own display name.' })
  updateUser(@Arg('input', () => UpdateUserInput) input: UpdateUserInput, @Ctx() ctx: GraphQLContext): Promise<User> {
    return this.userService.update(ctx.em(), ctx.auth(), input);
  }

  @Authorized(SUPERUSER)
  @Mutation(() => Boolean, { description: "Sets a local account's password; its sessions end." })
  async resetUserPassword(
    @Arg('input', () => ResetUserPasswordInput) input: ResetUserPasswordInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await this.userService.resetPassword(ctx.em(), ctx.auth(), input);
    return true;
  }

  @FieldResolver(() => [Membership], { description: "This user's memberships in the workspaces you can see." })
  memberships(@Root() user: User, @Ctx() ctx: GraphQLContext): Promise<Membership[]> {
    return this.userService.membershipsOf(ctx.em(), ctx.auth(), user.id);
  }
}
