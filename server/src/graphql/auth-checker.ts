import type { AuthChecker } from 'type-graphql';
import { isRole, SUPERUSER } from '../modules/auth/index.js';
import type { GraphQLContext } from './context.js';

/** The workspace an operation acts in, from its arguments: `workspaceId`, or `input`/`filter.workspaceId`. */
export function workspaceArgument(args: Record<string, unknown>): string | undefined {
  for (const candidate of [args, args.input, args.filter]) {
    const id = (candidate as { workspaceId?: unknown } | undefined)?.workspaceId;
    if (typeof id === 'string') return id;
  }
  return undefined;
}

/**
 * `@Authorized()`: any signed-in caller. `@Authorized(SUPERUSER)`: superusers. `@Authorized(Role.X)`:
 * at least X in the workspace named by the arguments. Operations on a row by id check the row's
 * workspace in their service, where the row is loaded.
 */
export const authChecker: AuthChecker<GraphQLContext, string> = ({ context, args }, roles) => {
  const principal = context.auth();
  if (roles.length === 0) return true;
  if (roles.includes(SUPERUSER)) {
    principal.requireSuperuser();
    return true;
  }
  const [role] = roles;
  const workspaceId = workspaceArgument(args);
  if (!isRole(role) || !workspaceId) {
    throw new Error(`@Authorized(${roles.join(', ')}) needs a role and a workspaceId argument`);
  }
  principal.require(workspaceId, role);
  return true;
};
