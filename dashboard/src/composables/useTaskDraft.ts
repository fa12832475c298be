import { useClientHandle } from '@urql/vue';
import { useDebounceFn } from '@vueuse/core';
import { ConfigSyntaxError, parseJobConfig, renderHocon, type JobConfig } from '@job-config';
import { computed, onScopeDispose, ref, shallowRef, toRaw, watch, type Ref } from 'vue';
import { mergeDiagnostics, type TaskDiagnostic } from '@/components/tasks/diagnostics';
import { graphql } from '@/gql';
import type { TaskEngine } from '@/gql/graphql';

const ValidateQuery = graphql(`
  query TaskEditorValidate($workspaceId: ID!, $content: String!, $engine: TaskEngine) {
    validateTaskConfig(workspaceId: $workspaceId, content: $content, engine: $engine, format: HOCON) {
      valid
      engine
      variables
      diagnostics {
        severity
        message
        line
        column
        path
      }
    }
  }
`);

export interface TaskDraftOptions {
  workspaceId: Ref<string | null>;
  /** The engine chosen for the task; null lets the server choose. */
  engine: Ref<TaskEngine | null>;
  /** Wait this long after the last keystroke before asking the server (ms, default 400). */
  validateDelay?: number;
}

/** The text a new task starts from. */
export const NEW_TASK_TEXT = 'env {\n  job.mode = BATCH\n}\n\nsource {}\n\nsink {}\n';

/**
 * A task's config being edited in two views: the HOCON text and the form's model. Both are parsed
 * and rendered here with the server's own module (`@job-config`), so they stay in step without a
 * round trip; the server is asked (debounced, stale answers dropped) only for what it alone knows:
 * plugins and their options, datasources, the engine.
 */
export function useTaskDraft(options: TaskDraftOptions) {
  const { client } = useClientHandle();
  const text = ref(NEW_TASK_TEXT);
  /** The model the form edits: the last text that parsed. */
  const config = ref<JobConfig>(parseJobConfig(NEW_TASK_TEXT, 'HOCON').config);
  const syntaxError = shallowRef<ConfigSyntaxError | null>(null);
  /** A form change the renderer could not write (e.g. a variable name it cannot spell). */
  const renderError = ref<string | null>(null);
  const local = shallowRef<TaskDiagnostic[]>([]);
  const server = shallowRef<{ text: string; diagnostics: TaskDiagnostic[]; engine: TaskEngine | null } | null>(null);
  const validating = ref(false);
  let sequence = 0;

  function parseLocally(next: string): JobConfig | null {
    try {
      const parsed = parseJobConfig(next, 'HOCON');
      syntaxError.value = null;
      local.value = parsed.diagnostics;
      return parsed.config;
    } catch (err) {
      if (!(err instanceof ConfigSyntaxError)) throw err;
      syntaxError.value = err;
      local.value = [{ severity: 'ERROR', message: err.detail, line: err.line, column: err.column }];
      return null;
    }
  }

  /** The text changed (typed, loaded): the form follows whenever it parses. */
  function setText(next: string): void {
    text.value = next;
    renderError.value = null;
    const parsed = parseLocally(next);
    if (parsed) config.value = parsed;
  }

  /** The form changed the model: the text is rendered again (comments are not kept). */
  function editForm(change: (config: JobConfig) => void): void {
    change(config.value);
    try {
      text.value = renderHocon(toRaw(config.value));
      renderError.value = null;
    } catch (err) {
      renderError.value = err instanceof Error ? err.message : String(err);
      return;
    }
    parseLocally(text.value);
  }

  parseLocally(NEW_TASK_TEXT);

  const validate = useDebounceFn(async () => {
    const workspaceId = options.workspaceId.value;
    const content = text.value;
    // A syntax error is already shown from the local parse; the server would say the same.
    if (!workspaceId || syntaxError.value) return;
    const mine = ++sequence;
    validating.value = true;
    const result = await client
      .query(ValidateQuery, { workspaceId, content, engine: options.engine.value }, { requestPolicy: 'network-only' })
      .toPromise();
    if (mine !== sequence) return;
    validating.value = false;
    const answer = result.data?.validateTaskConfig;
    if (answer) server.value = { text: content, diagnostics: answer.diagnostics, engine: answer.engine ?? null };
  }, options.validateDelay ?? 400);

  watch(
    [text, options.engine, options.workspaceId],
    () => {
      if (syntaxError.value) {
        sequence++;
        validating.value = false;
        return;
      }
      void validate();
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    sequence++;
  });

  /** Local diagnostics at once; the server's as soon as they answer for the text on screen. */
  const diagnostics = computed(() =>
    mergeDiagnostics(local.value, server.value?.text === text.value ? server.value.diagnostics : []),
  );
  const hasErrors = computed(() => diagnostics.value.some((d) => d.severity === 'ERROR'));
  /** The engine the server would give this config (null until it answered). */
  const suggestedEngine = computed(() => (server.value?.text === text.value ? server.value.engine : null));

  return {
    text,
    config,
    syntaxError,
    renderError,
    diagnostics,
    hasErrors,
    validating,
    suggestedEngine,
    setText,
    editForm,
  };
}

export type TaskDraft = ReturnType<typeof useTaskDraft>;
