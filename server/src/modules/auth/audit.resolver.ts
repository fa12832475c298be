import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { AuditEventFilter, PageInput } from './auth.inputs.js';
import { AuditEventPage } from './auth.types.js';
import { AuditService } from './audit.service.js';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Authorized()
  @Query(() => AuditEventPage, {
    description: "Newest first. A workspace's ADMINs read its events; superusers read all.",
  })
  auditEvents(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter?: AuditEventFilter,
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ): Promise<AuditEventPage> {
    return this.audit.list(ctx.em(), ctx.auth(), filter ?? {}, page ?? { offset: 0, limit: 50 });
  }
}
