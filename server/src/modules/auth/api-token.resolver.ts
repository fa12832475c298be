import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { AccessToken, TokenStatus } from './access-token.entity.js';
import { ApiTokenService } from './api-token.service.js';
import { CreateApiTokenInput } from './auth.inputs.js';
import { CreatedApiToken } from './auth.types.js';
import { Role } from './role.js';

@Resolver(() => AccessToken)
export class ApiTokenResolver {
  constructor(private readonly tokens: ApiTokenService) {}

  @Authorized(Role.ADMIN)
  @Query(() => [AccessToken], { description: "The workspace's API tokens, newest first (never their secrets)." })
  apiTokens(@Arg('workspaceId', () => ID) workspaceId: string, @Ctx() ctx: GraphQLContext): Promise<AccessToken[]> {
    return this.tokens.list(ctx.em(), ctx.auth(), workspaceId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CreatedApiToken, { description: 'The secret is in the answer, this once.' })
  async createApiToken(
    @Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedApiToken> {
    const created = await this.tokens.create(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { targetType: 'ApiToken', targetId: created.apiToken.id });
    return created;
  }

  @Authorized()
  @Mutation(() => AccessToken)
  async revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<AccessToken> {
    const token = await this.tokens.revoke(ctx.em(), ctx.auth(), id);
    ctx.audit.workspaceId = token.workspace?.id;
    return token;
  }

  @FieldResolver(() => TokenStatus)
  status(@Root() token: AccessToken): TokenStatus {
    return token.status();
  }
}
