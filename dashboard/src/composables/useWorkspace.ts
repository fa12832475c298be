import { computed, inject, provide, type InjectionKey } from 'vue';
import { useQuery } from '@urql/vue';
import { graphql } from '@/gql';
import type { Role } from '@/gql/graphql';
import { selectWorkspace, useSession } from './useSession';

const ShellQuery = graphql(`
  query Shell {
    me {
      id
      email
      displayName
      superuser
    }
    workspaces {
      id
      name
      myRole
    }
  }
`);

const RANK: Record<Role, number> = { VIEWER: 0, OPERATOR: 1, DEVELOPER: 2, ADMIN: 3 };

function createWorkspaceContext() {
  const session = useSession();
  const query = useQuery({ query: ShellQuery, pause: computed(() => !session.signedIn.value) });
  const workspaces = computed(() => query.data.value?.workspaces ?? []);
  const current = computed(
    () => workspaces.value.find((w) => w.id === session.workspaceId.value) ?? workspaces.value[0] ?? null,
  );
  const superuser = computed(() => query.data.value?.me.superuser ?? false);
  return {
    query,
    me: computed(() => query.data.value?.me ?? null),
    workspaces,
    current,
    workspaceId: computed(() => current.value?.id ?? null),
    role: computed(() => current.value?.myRole ?? null),
    /** True when the user's role in the current workspace is at least `role` (superusers always). */
    can(role: Role): boolean {
      if (superuser.value) return true;
      const mine = current.value?.myRole;
      return mine != null && RANK[mine] >= RANK[role];
    },
    select: selectWorkspace,
  };
}

export type WorkspaceContext = ReturnType<typeof createWorkspaceContext>;
const KEY: InjectionKey<WorkspaceContext> = Symbol('workspace');

/** The shell loads the user and their workspaces once and provides them to every page. */
export function provideWorkspace(): WorkspaceContext {
  const context = createWorkspaceContext();
  provide(KEY, context);
  return context;
}

/**
 * The signed-in user and the current workspace with the user's role in it. Pages read the
 * workspace id from here; buttons a role may not use are hidden or disabled with `can`.
 */
export function useWorkspace(): WorkspaceContext {
  const context = inject(KEY);
  if (!context) throw new Error('useWorkspace() is only available inside the app shell');
  return context;
}
