import { registerEnumType } from 'type-graphql';

/** A member's role in a workspace; each includes everything the roles below it may do. */
export enum Role {
  ADMIN = 'ADMIN',
  DEVELOPER = 'DEVELOPER',
  OPERATOR = 'OPERATOR',
  VIEWER = 'VIEWER',
}
registerEnumType(Role, {
  name: 'Role',
  description:
    'ADMIN manages members and settings; DEVELOPER edits datasources, tasks, schedules and alarm channels; OPERATOR runs, cancels, acknowledges and silences; VIEWER reads.',
});

const RANK: Record<Role, number> = { [Role.VIEWER]: 0, [Role.OPERATOR]: 1, [Role.DEVELOPER]: 2, [Role.ADMIN]: 3 };

export const atLeast = (role: Role, minimum: Role): boolean => RANK[role] >= RANK[minimum];

export const lowerOf = (a: Role, b: Role): Role => (RANK[a] <= RANK[b] ? a : b);

export const isRole = (value: unknown): value is Role => typeof value === 'string' && value in RANK;

/** The auth checker's marker for operations only superusers may call. */
export const SUPERUSER = 'SUPERUSER';
