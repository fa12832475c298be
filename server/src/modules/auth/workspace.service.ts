import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, NotFoundError } from '../../errors.js';
import { escapeLike, flushUnique } from '../../database/sql.js';
import { checkPasswordPolicy, generatePassword, hashPassword } from './credentials.js';
import { Membership, MembershipSource } from './membership.entity.js';
import type { Principal } from './principal.js';
import { Role } from './role.js';
import { AuthSource, User } from './user.entity.js';
import { Workspace } from './workspace.entity.js';

/** Workspaces and who belongs to them. Every read is limited to what the caller may see. */
export class WorkspaceService {
  async list(em: EntityManager, principal: Principal): Promise<Workspace[]> {
    const visible = principal.visibleWorkspaceIds();
    return em.find(Workspace, visible === 'ALL' ? {} : { id: { $in: visible } }, { orderBy: { name: 'ASC' } });
  }

  /** A workspace the caller belongs to; NOT_FOUND otherwise (no hint whether it exists). */
  async get(em: EntityManager, principal: Principal, id: string): Promise<Workspace> {
    const workspace = principal.roleIn(id) ? await em.findOne(Workspace, { id }) : null;
    if (!workspace) throw new NotFoundError('Workspace', id);
    return workspace;
  }

  async create(
    em: EntityManager,
    principal: Principal,
    input: { name: string; description?: string },
  ): Promise<Workspace> {
    principal.requireSuperuser();
    const workspace = em.create(Workspace, { name: input.name.trim(), description: input.description ?? '' });
    em.create(Membership, { workspace, user: principal.user.id, role: Role.ADMIN });
    await flushUnique(em, `A workspace named "${input.name.trim()}" already exists`, 'name');
    return workspace;
  }

  async update(
    em: EntityManager,
    principal: Principal,
    input: { workspaceId: string; name?: string; description?: string },
  ): Promise<Workspace> {
    principal.require(input.workspaceId, Role.ADMIN);
    const workspace = await em.findOneOrFail(Workspace, { id: input.workspaceId });
    if (input.name !== undefined) workspace.name = input.name.trim();
    if (input.description !== undefined) workspace.description = input.description;
    await flushUnique(em, `A workspace named "${input.name?.trim()}" already exists`, 'name');
    return workspace;
  }

  async delete(em: EntityManager, principal: Principal, id: string): Promise<void> {
    principal.requireSuperuser();
    const workspace = await em.findOne(Workspace, { id });
    if (!workspace) throw new NotFoundError('Workspace', id);
    await em.remove(workspace).flush();
  }

  async members(em: EntityManager, principal: Principal, workspaceId: string): Promise<Membership[]> {
    principal.require(workspaceId, Role.VIEWER);
    return em.find(
      Membership,
      { workspace: workspaceId },
      { populate: ['user', 'workspace'], orderBy: { createdAt: 'ASC' } },
    );
  }

  /** Adds a member by email; a new user is created (with the given password, or a generated one returned once). */
  async addMember(
    em: EntityManager,
    principal: Principal,
    input: { workspaceId: string; email: string; role: Role; displayName?: string; password?: string },
  ): Promise<{ membership: Membership; initialPassword: string | null }> {
    principal.require(input.workspaceId, Role.ADMIN);
    const workspace = await em.findOneOrFail(Workspace, { id: input.workspaceId });
    const email = input.email.trim();
    let user = await em.findOne(User, { email: { $ilike: escapeLike(email) } });
    let initialPassword: string | null = null;
    if (!user) {
      if (input.password !== undefined) checkPasswordPolicy(input.password);
      const password = input.password ?? (initialPassword = generatePassword());
      user = em.create(User, {
        email,
        displayName: input.displayName?.trim() || email.split('@')[0]!,
        passwordHash: await hashPassword(password),
        authSource: AuthSource.LOCAL,
      });
    } else if (input.password !== undefined) {
      throw new AppError('BAD_USER_INPUT', 'This user exists already: their password is theirs to change', {
        field: 'password',
      });
    }
    const membership = em.create(Membership, { workspace, user, role: input.role });
    await flushUnique(em, `${email} is already a member of this workspace`, 'email');
    return { membership, initialPassword };
  }

  async updateMember(
    em: EntityManager,
    principal: Principal,
    input: { workspaceId: string; userId: string; role?: Role; disabled?: boolean },
  ): Promise<Membership> {
    principal.require(input.workspaceId, Role.ADMIN);
    const membership = await this.membership(em, input.workspaceId, input.userId);
    const losesAdmin =
      membership.role === Role.ADMIN &&
      !membership.disabled &&
      ((input.role !== undefined && input.role !== Role.ADMIN) || input.disabled === true);
    if (losesAdmin) await this.keepOneAdmin(em, input.workspaceId);
    if (input.role !== undefined) {
      membership.role = input.role;
      membership.source = MembershipSource.MANUAL; // an explicit change is no longer the directory's to undo
    }
    if (input.disabled !== undefined) membership.disabled = input.disabled;
    await em.flush();
    return membership;
  }

  async removeMember(
    em: EntityManager,
    principal: Principal,
    input: { workspaceId: string; userId: string },
  ): Promise<void> {
    principal.require(input.workspaceId, Role.ADMIN);
    const membership = await this.membership(em, input.workspaceId, input.userId);
    if (membership.role === Role.ADMIN && !membership.disabled) await this.keepOneAdmin(em, input.workspaceId);
    await em.remove(membership).flush();
    // API tokens the removed member created for this workspace stop working by themselves (see authenticate).
  }

  private async membership(em: EntityManager, workspaceId: string, userId: string): Promise<Membership> {
    const membership = await em.findOne(
      Membership,
      { workspace: workspaceId, user: userId },
      { populate: ['user', 'workspace'] },
    );
    if (!membership) throw new NotFoundError('Membership', `${workspaceId}/${userId}`);
    return membership;
  }

  private async keepOneAdmin(em: EntityManager, workspaceId: string): Promise<void> {
    const admins = await em.count(Membership, { workspace: workspaceId, role: Role.ADMIN, disabled: false });
    if (admins <= 1) {
      throw new AppError('CONFLICT', 'A workspace keeps at least one active ADMIN: promote someone else first');
    }
  }
}
