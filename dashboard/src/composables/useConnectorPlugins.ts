import { useQuery } from '@urql/vue';
import { computed } from 'vue';
import { graphql } from '@/gql';
import type { TaskEditorPluginsQuery } from '@/gql/graphql';

const PluginsQuery = graphql(`
  query TaskEditorPlugins {
    connectorPlugins {
      name
      kind
      modes
      embedded
      datasourceTypes
      oneOf
      options {
        name
        type
        required
        default
        enumValues
        description
        common
      }
    }
  }
`);

export type ConnectorPluginInfo = TaskEditorPluginsQuery['connectorPlugins'][number];
export type ConnectorOptionInfo = ConnectorPluginInfo['options'][number];
export type BlockKind = 'SOURCE' | 'TRANSFORM' | 'SINK';

/** The connector registry the form is built from: every plugin once (it never changes while a server runs). */
export function useConnectorPlugins() {
  const query = useQuery({ query: PluginsQuery, requestPolicy: 'cache-first' });
  return { query, all: computed(() => query.data.value?.connectorPlugins ?? []) };
}
