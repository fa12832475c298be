import { AppError } from '../../errors.js';
import { TokenKind, type AccessToken } from './access-token.entity.js';
import { Role, atLeast } from './role.js';
import type { User } from './user.entity.js';

/** Who is calling, through which credential, and with which role in which workspace. */
export class Principal {
  constructor(
    readonly user: User,
    readonly token: AccessToken,
    /** Workspace id → role. An API token has exactly one entry. */
    private readonly roles: ReadonlyMap<string, Role>,
  ) {}

  get superuser(): boolean {
    return this.token.kind === TokenKind.SESSION && this.user.superuser;
  }

  get isApiToken(): boolean {
    return this.token.kind === TokenKind.API;
  }

  /** For logs and the audit trail. */
  get label(): string {
    return this.isApiToken ? `${this.user.email} (token ${this.token.name ?? this.token.prefix})` : this.user.email;
  }

  roleIn(workspaceId: string): Role | undefined {
    if (this.superuser) return Role.ADMIN;
    return this.roles.get(workspaceId);
  }

  can(workspaceId: string, minimum: Role): boolean {
    const role = this.roleIn(workspaceId);
    return role !== undefined && atLeast(role, minimum);
  }

  /** Throws FORBIDDEN unless the caller has at least `minimum` in the workspace. */
  require(workspaceId: string, minimum: Role): Role {
    const role = this.roleIn(workspaceId);
    if (role === undefined) {
      throw new AppError('FORBIDDEN', 'You are not a member of this workspace', { workspaceId });
    }
    if (!atLeast(role, minimum)) {
      throw new AppError('FORBIDDEN', `This needs the ${minimum} role in this workspace; you have ${role}`, {
        workspaceId,
        required: minimum,
        role,
      });
    }
    return role;
  }

  requireSuperuser(): void {
    if (!this.superuser) throw new AppError('FORBIDDEN', 'Only a superuser may do this');
  }

  /** The workspaces the caller may read, or 'ALL' for a superuser. */
  visibleWorkspaceIds(): string[] | 'ALL' {
    return this.superuser ? 'ALL' : [...this.roles.keys()];
  }
}
