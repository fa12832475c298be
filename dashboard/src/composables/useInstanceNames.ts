import { useQuery } from '@urql/vue';
import { computed } from 'vue';
import { graphql } from '@/gql';

const RunsInstances = graphql(`
  query RunsInstances {
    serverInstances {
      id
      name
    }
  }
`);

/** Names of the cluster's instances (host:port or SLUICE_INSTANCE_NAME) by id, for showing where a run ran. */
export function useInstanceNames() {
  const query = useQuery({ query: RunsInstances });
  const names = computed(() => new Map((query.data.value?.serverInstances ?? []).map((i) => [i.id, i.name])));
  return {
    /** The instance's name, or the start of its id when it is gone (DOWN instances are kept 7 days). */
    name(id: string | null | undefined): string {
      if (!id) return '';
      return names.value.get(id) ?? id.slice(0, 8);
    },
  };
}
