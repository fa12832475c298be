import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, NotFoundError, UserInputError } from '../../errors.js';
import { AccessToken, TokenKind } from './access-token.entity.js';
import { newBearer } from './credentials.js';
import type { Principal } from './principal.js';
import { Role, atLeast } from './role.js';
import { Workspace } from './workspace.entity.js';

/** Tokens for other tools: one workspace, one role, an optional expiry; the secret is shown once. */
export class ApiTokenService {
  async create(
    em: EntityManager,
    principal: Principal,
    input: { name: string; workspaceId: string; role: Role; expiresAt?: Date | null },
  ): Promise<{ token: string; apiToken: AccessToken }> {
    const callerRole = principal.require(input.workspaceId, Role.ADMIN);
    if (!atLeast(callerRole, input.role)) throw new AppError('FORBIDDEN', 'A token cannot outrank its creator');
    if (principal.isApiToken) throw new AppError('FORBIDDEN', 'API tokens cannot create API tokens');
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new UserInputError('expiresAt must be in the future', { field: 'expiresAt' });
    }
    const workspace = await em.findOneOrFail(Workspace, { id: input.workspaceId });
    const bearer = newBearer('api');
    const apiToken = em.create(AccessToken, {
      kind: TokenKind.API,
      tokenHash: bearer.hash,
      prefix: bearer.prefix,
      name: input.name.trim(),
      user: principal.user.id,
      workspace,
      role: input.role,
      expiresAt: input.expiresAt ?? null,
    });
    await em.flush();
    await em.populate(apiToken, ['user']);
    return { token: bearer.secret, apiToken };
  }

  async list(em: EntityManager, principal: Principal, workspaceId: string): Promise<AccessToken[]> {
    principal.require(workspaceId, Role.ADMIN);
    return em.find(
      AccessToken,
      { kind: TokenKind.API, workspace: workspaceId },
      { populate: ['user', 'workspace'], orderBy: { createdAt: 'DESC' } },
    );
  }

  async revoke(em: EntityManager, principal: Principal, id: string): Promise<AccessToken> {
    const token = await em.findOne(AccessToken, { id, kind: TokenKind.API }, { populate: ['user', 'workspace'] });
    // Tokens of other workspaces are "not found", not "forbidden": ids reveal nothing.
    if (!token || !principal.roleIn(token.workspace!.id)) throw new NotFoundError('ApiToken', id);
    principal.require(token.workspace!.id, Role.ADMIN);
    token.revokedAt ??= new Date();
    await em.flush();
    return token;
  }
}
