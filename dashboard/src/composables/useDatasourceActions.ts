import { useMutation } from '@urql/vue';
import { useDialog } from 'naive-ui';
import { reactive } from 'vue';
import { useI18n } from 'vue-i18n';
import { graphql } from '@/gql';
import type { DatasourceTestErrorCode } from '@/gql/graphql';
import { useNotify } from './useNotify';

const TestMutation = graphql(`
  mutation DatasourceTest($id: ID!) {
    testDatasource(id: $id) {
      ok
      latencyMs
      serverVersion
      error {
        code
        message
      }
    }
  }
`);

const DeleteMutation = graphql(`
  mutation DatasourceDelete($id: ID!) {
    deleteDatasource(id: $id)
  }
`);

/** The outcome of a connection test, as the list and the form show it. */
export interface TestOutcome {
  ok: boolean;
  testedAt: string;
  latencyMs: number | null;
  serverVersion?: string | null;
  errorCode: DatasourceTestErrorCode | null;
  message: string | null;
}

export interface DatasourceActionOptions {
  /**
   * Called after a test or a delete went through, to refetch what shows the datasource; a test
   * counts as running until the promise it returns settles, so the new result replaces the old at once.
   */
  onChanged?: (id: string) => unknown;
}

/**
 * Testing and deleting a saved datasource, shared by the list and the edit page: each reports its
 * outcome, the delete asks first and says plainly when the server refuses it (tasks still use it).
 */
export function useDatasourceActions(options: DatasourceActionOptions = {}) {
  const { t } = useI18n();
  const dialog = useDialog();
  const notify = useNotify();
  const test = useMutation(TestMutation);
  const remove = useMutation(DeleteMutation);
  /** Ids with a test in flight. */
  const testing = reactive(new Set<string>());

  async function testSaved(datasource: { id: string; name: string }): Promise<TestOutcome | null> {
    testing.add(datasource.id);
    try {
      const result = await test.executeMutation({ id: datasource.id });
      const data = result.data?.testDatasource;
      if (result.error || !data) {
        notify.error(result.error);
        return null;
      }
      if (data.ok) notify.success(t('datasources.testOk', { name: datasource.name, ms: data.latencyMs }));
      await options.onChanged?.(datasource.id);
      return {
        ok: data.ok,
        testedAt: new Date().toISOString(),
        latencyMs: data.latencyMs,
        serverVersion: data.serverVersion,
        errorCode: data.error?.code ?? null,
        message: data.error?.message ?? null,
      };
    } finally {
      testing.delete(datasource.id);
    }
  }

  /** Asks, deletes, reports; resolves true when the datasource is gone. */
  function confirmDelete(datasource: { id: string; name: string }): Promise<boolean> {
    return new Promise((resolve) => {
      const d = dialog.warning({
        title: t('datasources.deleteTitle', { name: datasource.name }),
        content: t('datasources.deleteContent'),
        positiveText: t('actions.delete'),
        negativeText: t('actions.cancel'),
        positiveButtonProps: { type: 'error', attrType: 'button', ...{ 'data-test': 'confirm-delete' } },
        onNegativeClick: () => resolve(false),
        onClose: () => resolve(false),
        onMaskClick: () => resolve(false),
        onPositiveClick: async () => {
          d.loading = true;
          const result = await remove.executeMutation({ id: datasource.id });
          d.loading = false;
          if (result.error) {
            const refused = result.error.graphQLErrors[0]?.extensions?.code === 'CONFLICT';
            if (refused) {
              // The server names the tasks that still use it: that is what the user must act on.
              dialog.error({
                title: t('datasources.deleteRefused'),
                content: result.error.graphQLErrors[0]?.message,
                positiveText: t('actions.close'),
              });
            } else notify.error(result.error);
            resolve(false);
            return true;
          }
          notify.success(t('datasources.deleted', { name: datasource.name }));
          void options.onChanged?.(datasource.id);
          resolve(true);
          return true;
        },
      });
    });
  }

  return { testing, testSaved, confirmDelete };
}
