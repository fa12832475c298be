import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { ChangePasswordInput, LoginInput } from './auth.inputs.js';
import { AuthService } from './auth.service.js';
import { LoginResult } from './auth.types.js';
import { User } from './user.entity.js';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Mutation(() => LoginResult, { description: 'Signs in and starts a session. Failed attempts are rate-limited.' })
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: GraphQLContext): Promise<LoginResult> {
    ctx.audit.actorLabel = input.email.trim();
    const result = await this.auth.login(ctx.em(), input, ctx.clientAddress);
    Object.assign(ctx.audit, { actorUserId: result.user.id, targetType: 'User', targetId: result.user.id });
    return result;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Ends the current session.' })
  async logout(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    await this.auth.logout(ctx.em(), ctx.auth());
    return true;
  }

  @Authorized()
  @Query(() => User, { description: 'The signed-in user (for an API token: its creator).' })
  me(@Ctx() ctx: GraphQLContext): User {
    return ctx.auth().user;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Changes your own password; your other sessions end.' })
  async changePassword(
    @Arg('input', () => ChangePasswordInput) input: ChangePasswordInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await this.auth.changePassword(ctx.em(), ctx.auth(), input, ctx.clientAddress);
    return true;
  }
}
