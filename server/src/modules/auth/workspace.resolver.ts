import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import {
  AddMemberInput,
  CreateWorkspaceInput,
  RemoveMemberInput,
  UpdateMemberInput,
  UpdateWorkspaceInput,
} from './auth.inputs.js';
import { AddMemberResult } from './auth.types.js';
import { Membership } from './membership.entity.js';
import { Role, SUPERUSER } from './role.js';
import { Workspace } from './workspace.entity.js';
import { WorkspaceService } from './workspace.service.js';

@Resolver(() => Workspace)
export class WorkspaceResolver {
  constructor(private readonly workspaceService: WorkspaceService) {}

  @Authorized()
  @Query(() => [Workspace], { description: 'The workspaces you belong to (all of them for a superuser).' })
  workspaces(@Ctx() ctx: GraphQLContext): Promise<Workspace[]> {
    return this.workspaceService.list(ctx.em(), ctx.auth());
  }

  @Authorized()
  @Query(() => Workspace)
  workspace(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Workspace> {
    return this.workspaceService.get(ctx.em(), ctx.auth(), id);
  }

  @Authorized(SUPERUSER)
  @Mutation(() => Workspace, { description: 'Creates a workspace; you become its ADMIN.' })
  createWorkspace(@Arg('input', () => CreateWorkspaceInput) input: CreateWorkspaceInput, @Ctx() ctx: GraphQLContext) {
    return this.workspaceService.create(ctx.em(), ctx.auth(), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Workspace)
  updateWorkspace(@Arg('input', () => UpdateWorkspaceInput) input: UpdateWorkspaceInput, @Ctx() ctx: GraphQLContext) {
    return this.workspaceService.update(ctx.em(), ctx.auth(), input);
  }

  @Authorized(SUPERUSER)
  @Mutation(() => Boolean, { description: 'Deletes a workspace and everything in it.' })
  async deleteWorkspace(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    ctx.audit.workspaceId = id;
    await this.workspaceService.delete(ctx.em(), ctx.auth(), id);
    return true;
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AddMemberResult, { description: 'Adds a user by email, creating a local account when none exists.' })
  async addMember(@Arg('input', () => AddMemberInput) input: AddMemberInput, @Ctx() ctx: GraphQLContext) {
    const result = await this.workspaceService.addMember(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { targetType: 'User', targetId: result.membership.user.id });
    return result;
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Membership, { description: 'Changes a role, or disables/enables a member in this workspace.' })
  updateMember(@Arg('input', () => UpdateMemberInput) input: UpdateMemberInput, @Ctx() ctx: GraphQLContext) {
    ctx.audit.targetType = 'User';
    return this.workspaceService.updateMember(ctx.em(), ctx.auth(), input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  async removeMember(@Arg('input', () => RemoveMemberInput) input: RemoveMemberInput, @Ctx() ctx: GraphQLContext) {
    ctx.audit.targetType = 'User';
    await this.workspaceService.removeMember(ctx.em(), ctx.auth(), input);
    return true;
  }

  @FieldResolver(() => [Membership], { description: "The workspace's members." })
  members(@Root() workspace: Workspace, @Ctx() ctx: GraphQLContext): Promise<Membership[]> {
    return this.workspaceService.members(ctx.em(), ctx.auth(), workspace.id);
  }

  @FieldResolver(() => Role, { nullable: true, description: 'Your role here (ADMIN for a superuser).' })
  myRole(@Root() workspace: Workspace, @Ctx() ctx: GraphQLContext): Role | undefined {
    return ctx.auth().roleIn(workspace.id);
  }
}
