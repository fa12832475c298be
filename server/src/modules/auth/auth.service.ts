import type { EntityManager } from '@mikro-orm/postgresql';
import type { LdapConfig } from '../../config.js';
import { escapeLike } from '../../database/sql.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { AccessToken, TokenKind, revokeSessions } from './access-token.entity.js';
import {
  checkPasswordPolicy,
  generatePassword,
  hashBearer,
  hashPassword,
  newBearer,
  verifyPassword,
} from './credentials.js';
import { normaliseDn } from './ldap-directory.js';
import { LoginThrottle, throttleKeys } from './login-throttle.js';
import { Membership, MembershipSource } from './membership.entity.js';
import { Principal } from './principal.js';
import { Role, atLeast, lowerOf } from './role.js';
import { AuthSource, User } from './user.entity.js';
import { Workspace } from './workspace.entity.js';

/** What a directory returns for a successful bind (see ldap-directory.ts). */
export interface DirectoryIdentity {
  dn: string;
  login: string;
  email: string | undefined;
  displayName: string | undefined;
  groups: string[];
}

export interface Directory {
  authenticate(login: string, password: string): Promise<DirectoryIdentity | null>;
}

export interface AuthServiceOptions {
  sessionTtlMinutes: number;
  admin: { email: string; password: string | undefined };
  directory?: { client: Directory; roleMap: LdapConfig['roleMap'] };
  /** Where the generated first password is shown (once). */
  announce?: (text: string) => void;
}

export const DEFAULT_WORKSPACE = 'Default';
const BOOTSTRAP_LOCK_KEY = 0x51_75_1c_e1;
const TOUCH_EVERY_MS = 60_000;
const INVALID_LOGIN = 'Invalid email or password';

/** What the sign-in page tells while nobody has signed in yet. */
export interface FirstLoginHint {
  adminEmail: string;
  /** True: SLUICE_ADMIN_PASSWORD is the password; false: it was generated and printed at the first start. */
  passwordFromEnvironment: boolean;
}

export class AuthService {
  private readonly throttle = new LoginThrottle();
  /** Someone has signed in: the hint is gone for good, and no longer read. */
  private someoneSignedIn = false;
  /** Whether SLUICE_ADMIN_PASSWORD is the first superuser's password, checked once per hash (argon2 is slow on purpose). */
  private environmentPassword: { hash: string; matches: Promise<boolean> } | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly options: AuthServiceOptions,
  ) {}

  /** Resolves a bearer secret to its principal, or throws UNAUTHENTICATED. */
  async authenticate(em: EntityManager, bearer: string | undefined): Promise<Principal> {
    if (!bearer) {
      throw new AppError('UNAUTHENTICATED', 'Sign in first: send "Authorization: Bearer <token>"');
    }
    const invalid = new AppError('UNAUTHENTICATED', 'The token is invalid, expired or revoked');
    if (!/^slu_[st]_[\w-]{43}$/.test(bearer)) throw invalid;
    const token = await em.findOne(AccessToken, { tokenHash: hashBearer(bearer) }, { populate: ['user', 'workspace'] });
    const now = new Date();
    if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now) || token.user.disabled) throw invalid;

    const memberships = await em.find(
      Membership,
      { user: token.user, disabled: false },
      { fields: ['workspace', 'role'] },
    );
    const roles = new Map<string, Role>();
    if (token.kind === TokenKind.SESSION) {
      for (const m of memberships) roles.set(m.workspace.id, m.role);
    } else {
      // An API token never outranks its creator's current role, and dies with their access.
      const workspaceId = token.workspace!.id;
      const creatorRole = token.user.superuser
        ? Role.ADMIN
        : memberships.find((m) => m.workspace.id === workspaceId)?.role;
      if (!creatorRole)
        throw new AppError('UNAUTHENTICATED', "The token's creator no longer has access to its workspace");
      roles.set(workspaceId, lowerOf(token.role!, creatorRole));
    }

    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await em.getConnection().execute('UPDATE access_token SET last_used_at = now() WHERE id = ?', [token.id]);
    }
    return new Principal(token.user, token, roles);
  }

  async login(
    em: EntityManager,
    input: { email: string; password: string },
    clientAddress: string,
  ): Promise<{ token: string; expiresAt: Date; user: User }> {
    const login = input.email.trim();
    const keys = throttleKeys(login, clientAddress);
    await this.throttle.check(em, keys);

    const user = await this.checkCredentials(em, login, input.password);
    if (!user || user.disabled) {
      await this.throttle.fail(em, keys);
      throw new AppError('UNAUTHENTICATED', INVALID_LOGIN);
    }
    await this.throttle.reset(em, keys.account);

    const bearer = newBearer('session');
    const expiresAt = new Date(Date.now() + this.options.sessionTtlMinutes * 60_000);
    em.create(AccessToken, { kind: TokenKind.SESSION, tokenHash: bearer.hash, prefix: bearer.prefix, user, expiresAt });
    user.lastLoginAt = new Date();
    await em.flush();
    return { token: bearer.secret, expiresAt, user };
  }

  /** The user whose credentials these are, or null; same work and same answer for every kind of failure. */
  private async checkCredentials(em: EntityManager, login: string, password: string): Promise<User | null> {
    const user = await em.findOne(User, { email: { $ilike: escapeLike(login) } });
    const directory = this.options.directory;
    if (user?.authSource === AuthSource.LOCAL || !directory) {
      return (await verifyPassword(user?.passwordHash ?? null, password)) ? user : null;
    }
    const identity = await directory.client.authenticate(login, password);
    if (!identity) return null;
    return this.provisionDirectoryUser(em, identity);
  }

  /** Creates or refreshes a directory user, and makes its superuser flag and LDAP memberships follow its groups. */
  private async provisionDirectoryUser(em: EntityManager, identity: DirectoryIdentity): Promise<User | null> {
    const email = (identity.email ?? identity.login).trim();
    let user = await em.findOne(User, { ldapDn: normaliseDn(identity.dn) });
    user ??= await em.findOne(User, { email: { $ilike: escapeLike(email) } });
    if (user && user.authSource !== AuthSource.LDAP) {
      // A directory entry must never take over a local account that happens to share its email.
      this.logger.warn({ dn: identity.dn }, 'directory login refused: a local account has the same email');
      return null;
    }
    const map = this.options.directory!.roleMap;
    const groups = new Set(identity.groups.map(normaliseDn));
    const matching = map.filter((entry) => groups.has(normaliseDn(entry.group)));

    user ??= em.create(User, {
      email,
      displayName: identity.displayName ?? identity.login,
      authSource: AuthSource.LDAP,
    });
    user.ldapDn = normaliseDn(identity.dn);
    user.displayName = identity.displayName ?? user.displayName;
    user.superuser = matching.some((entry) => 'superuser' in entry);

    const wanted = new Map<string, Role>();
    for (const entry of matching) {
      if (!('workspace' in entry)) continue;
      const role = entry.role as Role;
      const previous = wanted.get(entry.workspace.toLowerCase());
      wanted.set(entry.workspace.toLowerCase(), previous && atLeast(previous, role) ? previous : role);
    }
    const workspaces = wanted.size
      ? await em.find(Workspace, { $or: [...wanted.keys()].map((name) => ({ name: { $ilike: escapeLike(name) } })) })
      : [];
    for (const name of wanted.keys()) {
      if (!workspaces.some((w) => w.name.toLowerCase() === name)) {
        this.logger.warn({ workspace: name }, 'SLUICE_LDAP_ROLE_MAP names a workspace that does not exist');
      }
    }
    const existing = user.id ? await em.find(Membership, { user }, { populate: ['workspace'] }) : [];
    for (const m of existing) {
      if (m.source !== MembershipSource.LDAP) continue;
      const role = wanted.get(m.workspace.name.toLowerCase());
      if (role === undefined) em.remove(m);
      else m.role = role;
    }
    for (const workspace of workspaces) {
      if (existing.some((m) => m.workspace.id === workspace.id)) continue; // manual memberships stay as they are
      em.create(Membership, {
        user,
        workspace,
        role: wanted.get(workspace.name.toLowerCase())!,
        source: MembershipSource.LDAP,
      });
    }
    await em.flush();
    return user;
  }

  /** Ends the calling session. */
  async logout(em: EntityManager, principal: Principal): Promise<void> {
    if (principal.isApiToken) {
      throw new AppError('BAD_USER_INPUT', 'An API token has no session to end: revoke it with revokeApiToken');
    }
    await em
      .getConnection()
      .execute('UPDATE access_token SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL', [principal.token.id]);
  }

  /** Changes the caller's own password; every other session of theirs ends. */
  async changePassword(
    em: EntityManager,
    principal: Principal,
    input: { currentPassword: string; newPassword: string },
    clientAddress: string,
  ): Promise<void> {
    if (principal.isApiToken)
      throw new AppError('FORBIDDEN', 'Passwords are changed in a signed-in session, not with an API token');
    const user = await em.findOneOrFail(User, { id: principal.user.id });
    if (user.authSource !== AuthSource.LOCAL) {
      throw new AppError('BAD_USER_INPUT', 'This account signs in through the directory: change the password there');
    }
    const keys = throttleKeys(user.email, clientAddress);
    await this.throttle.check(em, keys);
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      await this.throttle.fail(em, keys);
      throw new AppError('BAD_USER_INPUT', 'The current password is wrong', { field: 'currentPassword' });
    }
    checkPasswordPolicy(input.newPassword, 'newPassword');
    user.passwordHash = await hashPassword(input.newPassword);
    await em.flush();
    await revokeSessions(em, user.id, principal.token.id);
  }

  /**
   * Who signs in first, for the sign-in page, while no user has ever signed in; null afterwards.
   * The superuser created first is the one `bootstrap` made.
   */
  async firstLoginHint(em: EntityManager): Promise<FirstLoginHint | null> {
    if (this.someoneSignedIn) return null;
    if (await em.findOne(User, { lastLoginAt: { $ne: null } }, { fields: ['id'] })) {
      this.someoneSignedIn = true;
      return null;
    }
    const admin = await em.findOne(
      User,
      { superuser: true, disabled: false, authSource: AuthSource.LOCAL },
      { orderBy: { createdAt: 'asc', id: 'asc' }, fields: ['email', 'passwordHash'] },
    );
    if (!admin) return null;
    return { adminEmail: admin.email, passwordFromEnvironment: await this.isEnvironmentPassword(admin.passwordHash) };
  }

  /** False when none is configured, or when the database was set up with another (a later start does not change it). */
  private isEnvironmentPassword(hash: string | null): Promise<boolean> {
    const configured = this.options.admin.password;
    if (configured === undefined || hash === null) return Promise.resolve(false);
    if (this.environmentPassword?.hash !== hash) {
      this.environmentPassword = { hash, matches: verifyPassword(hash, configured) };
    }
    return this.environmentPassword.matches;
  }

  /**
   * On an empty database: the first superuser (configured, or with a generated password shown
   * once) and the default workspace. Serialised by an advisory lock: instances starting together
   * create them once.
   */
  async bootstrap(em: EntityManager): Promise<void> {
    await em.transactional(async (tx) => {
      await tx
        .getConnection()
        .execute('SELECT pg_advisory_xact_lock(?)', [BOOTSTRAP_LOCK_KEY], 'all', tx.getTransactionContext());
      if ((await tx.count(User, {})) > 0) return;
      const { email, password: configured } = this.options.admin;
      const password = configured ?? generatePassword();
      const admin = tx.create(User, {
        email,
        displayName: 'Administrator',
        passwordHash: await hashPassword(password),
        superuser: true,
      });
      const workspace = tx.create(Workspace, { name: DEFAULT_WORKSPACE, description: 'Created on the first start.' });
      tx.create(Membership, { user: admin, workspace, role: Role.ADMIN });
      this.logger.info({ email }, 'created the first superuser and the Default workspace');
      if (!configured) {
        (this.options.announce ?? ((t) => process.stderr.write(t)))(
          `\n  First start: sign in as ${email} with the password  ${password}\n` +
            '  It is shown only this once (set SLUICE_ADMIN_PASSWORD to choose it); change it after signing in.\n\n',
        );
      }
    });
  }
}
