import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, NotFoundError } from '../../errors.js';
import { escapeLike, flushUnique } from '../../database/sql.js';
import { revokeSessions } from './access-token.entity.js';
import { checkPasswordPolicy, hashPassword } from './credentials.js';
import { Membership } from './membership.entity.js';
import type { Principal } from './principal.js';
import { AuthSource, User } from './user.entity.js';

export interface Page {
  offset: number;
  limit: number;
}

/** Accounts across workspaces: the superuser's business, except for one's own profile. */
export class UserService {
  async list(
    em: EntityManager,
    principal: Principal,
    filter: { search?: string; disabled?: boolean },
    page: Page,
  ): Promise<{ items: User[]; total: number }> {
    principal.requireSuperuser();
    const where: Record<string, unknown> = {};
    if (filter.search) {
      const like = `%${escapeLike(filter.search)}%`;
      where.$or = [{ email: { $ilike: like } }, { displayName: { $ilike: like } }];
    }
    if (filter.disabled !== undefined) where.disabled = filter.disabled;
    const [items, total] = await em.findAndCount(User, where, {
      orderBy: { email: 'ASC' },
      offset: page.offset,
      limit: page.limit,
    });
    return { items, total };
  }

  async create(
    em: EntityManager,
    principal: Principal,
    input: { email: string; displayName: string; password: string; superuser?: boolean },
  ): Promise<User> {
    principal.requireSuperuser();
    checkPasswordPolicy(input.password);
    const user = em.create(User, {
      email: input.email.trim(),
      displayName: input.displayName.trim(),
      passwordHash: await hashPassword(input.password),
      superuser: input.superuser ?? false,
    });
    await flushUnique(em, `A user with the email ${input.email.trim()} already exists`, 'email');
    return user;
  }

  /** Superusers change anything; a user may change only their own display name. */
  async update(
    em: EntityManager,
    principal: Principal,
    input: { userId: string; displayName?: string; disabled?: boolean; superuser?: boolean },
  ): Promise<User> {
    const self = input.userId === principal.user.id;
    if (!principal.superuser && !(self && input.disabled === undefined && input.superuser === undefined)) {
      principal.requireSuperuser();
    }
    if (principal.isApiToken) throw new AppError('FORBIDDEN', 'API tokens cannot change user accounts');
    const user = await em.findOne(User, { id: input.userId });
    if (!user) throw new NotFoundError('User', input.userId);
    if (self && (input.disabled === true || input.superuser === false)) {
      throw new AppError('CONFLICT', 'You cannot disable yourself or drop your own superuser flag');
    }
    if (input.displayName !== undefined) user.displayName = input.displayName.trim();
    if (input.superuser !== undefined) user.superuser = input.superuser;
    if (input.disabled !== undefined) user.disabled = input.disabled;
    await em.flush();
    if (input.disabled) {
      await revokeSessions(em, user.id);
    }
    return user;
  }

  /** A superuser sets a new password for a local account (for a user locked out); their sessions end. */
  async resetPassword(
    em: EntityManager,
    principal: Principal,
    input: { userId: string; newPassword: string },
  ): Promise<void> {
    principal.requireSuperuser();
    const user = await em.findOne(User, { id: input.userId });
    if (!user) throw new NotFoundError('User', input.userId);
    if (user.authSource !== AuthSource.LOCAL)
      throw new AppError('BAD_USER_INPUT', 'This account signs in through the directory');
    checkPasswordPolicy(input.newPassword, 'newPassword');
    user.passwordHash = await hashPassword(input.newPassword);
    await em.flush();
    await revokeSessions(em, user.id);
  }

  /** The memberships of `user` that the caller may see. */
  async membershipsOf(em: EntityManager, principal: Principal, userId: string): Promise<Membership[]> {
    const visible = principal.visibleWorkspaceIds();
    return em.find(Membership, visible === 'ALL' ? { user: userId } : { user: userId, workspace: { $in: visible } }, {
      populate: ['workspace'],
      orderBy: { workspace: { name: 'ASC' } },
    });
  }
}
