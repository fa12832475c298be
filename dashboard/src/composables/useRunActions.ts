import { useMutation } from '@urql/vue';
import { computed, reactive } from 'vue';
import { useI18n } from 'vue-i18n';
import { graphql } from '@/gql';
import type { RunStatus } from '@/gql/graphql';
import { useNotify } from './useNotify';
import { useWorkspace } from './useWorkspace';

const RunCancel = graphql(`
  mutation RunCancel($id: ID!) {
    cancelRun(id: $id) {
      id
      status
      cancelRequestedAt
      finishedAt
      updatedAt
    }
  }
`);

const RunRerun = graphql(`
  mutation RunRerun($id: ID!) {
    rerunRun(id: $id) {
      id
      status
      taskId
      attempt
    }
  }
`);

const FINISHED: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];

export function isFinished(status: RunStatus): boolean {
  return FINISHED.includes(status);
}

/** Cancel while it waits (for a backfill's turn, or in the queue) or runs; rerun once it ended. */
export function canCancel(status: RunStatus): boolean {
  return status === 'PENDING' || status === 'QUEUED' || status === 'RUNNING';
}

/**
 * Cancel and rerun, for OPERATORs and up: each reports its outcome (the new state, or the error's
 * meaning and the server's words), and `busy(id)` tells whether a request for that run is under way.
 */
export function useRunActions() {
  const { t } = useI18n();
  const notify = useNotify();
  const workspace = useWorkspace();
  const cancelMutation = useMutation(RunCancel);
  const rerunMutation = useMutation(RunRerun);
  const pending = reactive(new Set<string>());

  async function withBusy<T>(id: string, action: () => Promise<T>): Promise<T> {
    pending.add(id);
    try {
      return await action();
    } finally {
      pending.delete(id);
    }
  }

  return {
    mayOperate: computed(() => workspace.can('OPERATOR')),
    busy: (id: string) => pending.has(id),
    /** True when the cancel was accepted. */
    cancel(id: string): Promise<boolean> {
      return withBusy(id, async () => {
        const result = await cancelMutation.executeMutation({ id });
        if (result.error || !result.data) {
          notify.error(result.error);
          return false;
        }
        const status = result.data.cancelRun.status;
        notify.success(status === 'CANCELLED' ? t('runs.actions.cancelled') : t('runs.actions.cancelling'));
        return true;
      });
    },
    /** The new run's id, or null when it was refused. */
    rerun(id: string): Promise<string | null> {
      return withBusy(id, async () => {
        const result = await rerunMutation.executeMutation({ id });
        if (result.error || !result.data) {
          notify.error(result.error);
          return null;
        }
        notify.success(t('runs.actions.rerunQueued'));
        return result.data.rerunRun.id;
      });
    },
  };
}
