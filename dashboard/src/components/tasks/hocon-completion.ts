import {
  snippetCompletion,
  type Completion,
  type CompletionContext,
  type CompletionResult,
} from '@codemirror/autocomplete';
import { syntaxTree } from '@codemirror/language';
import type { EditorState } from '@codemirror/state';
import type { ConnectorPluginInfo } from '@/composables/useConnectorPlugins';
import type { DatasourceChoice } from './types';

export interface CompletionData {
  plugins: readonly ConnectorPluginInfo[];
  datasources: readonly DatasourceChoice[];
}

const SECTIONS = { source: 'SOURCE', transform: 'TRANSFORM', sink: 'SINK' } as const;
const ENV_OPTIONS = ['job.mode', 'job.name', 'parallelism', 'checkpoint.interval'];

/** The keys of the objects around `pos` (`['sink', 'Jdbc']`), read from the highlighter's tokens. */
function pathAt(state: EditorState, pos: number): string[] {
  const path: (string | null)[] = [];
  let lastKey: string | null = null;
  syntaxTree(state).iterate({
    to: pos,
    enter: (node) => {
      if (node.to > pos) return;
      const name = node.type.name;
      if (name === 'propertyName') lastKey = state.sliceDoc(node.from, node.to).replace(/^"|"$/g, '');
      else if (name === 'brace' || name === 'squareBracket') {
        const ch = state.sliceDoc(node.from, node.to);
        if (ch === '{') path.push(lastKey);
        else if (ch === '[') path.push(null);
        else path.pop();
        lastKey = null;
      }
    },
  });
  return path.map((key) => key ?? '');
}

/**
 * Completion for the text view: section names at the top, plugin names inside source/transform/sink,
 * a plugin's options inside its block, env options in env, and datasource names after `datasource =`.
 */
export function hoconCompletion(data: () => CompletionData) {
  return (context: CompletionContext): CompletionResult | null => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const path = pathAt(context.state, context.pos);
    const { plugins, datasources } = data();

    const value = /^\s*datasource\s*[=:]\s*"?([^"]*)$/.exec(before);
    if (value) {
      const kind = SECTIONS[path[0] as keyof typeof SECTIONS];
      const plugin = plugins.find((p) => p.kind === kind && p.name.toLowerCase() === path[1]?.toLowerCase());
      const types = plugin?.datasourceTypes ?? [];
      const quoted = before.trimEnd().endsWith('"') || /"[^"]*$/.test(before);
      return {
        from: context.pos - value[1]!.length,
        options: datasources
          .filter((d) => types.length === 0 || types.includes(d.type))
          .map((d): Completion => ({
            label: d.name,
            detail: d.type,
            type: 'variable',
            apply: quoted ? d.name : `"${d.name}"`,
          })),
        validFor: /^[^"]*$/,
      };
    }

    const word = context.matchBefore(/[A-Za-z0-9_.-]*/);
    if (!word || !/^\s*[A-Za-z0-9_.-]*$/.test(before)) return null;
    if (word.from === word.to && !context.explicit) return null;
    let options: Completion[] = [];
    if (path.length === 0) {
      options = ['env', 'source', 'transform', 'sink'].map((label) =>
        snippetCompletion(`${label} {\n\t\${}\n}`, { label, type: 'keyword' }),
      );
    } else if (path.length === 1 && path[0] === 'env') {
      options = ENV_OPTIONS.map((label) => ({ label, type: 'property', apply: `${label} = ` }));
    } else if (path.length === 1 && path[0]! in SECTIONS) {
      const kind = SECTIONS[path[0] as keyof typeof SECTIONS];
      options = plugins
        .filter((p) => p.kind === kind)
        .map((p) =>
          snippetCompletion(`${p.name} {\n\t\${}\n}`, {
            label: p.name,
            type: 'class',
            detail: p.embedded ? undefined : 'SeaTunnel',
          }),
        );
    } else if (path.length === 2 && path[0]! in SECTIONS) {
      const kind = SECTIONS[path[0] as keyof typeof SECTIONS];
      const plugin = plugins.find((p) => p.kind === kind && p.name.toLowerCase() === path[1]!.toLowerCase());
      options = (plugin?.options ?? []).map((o) => {
        const info = {
          label: o.name,
          type: 'property',
          detail: o.type.toLowerCase() + (o.required ? ' · required' : ''),
          info: o.description ?? undefined,
          boost: o.required ? 2 : o.common ? -1 : 0,
        };
        return o.type === 'OBJECT'
          ? snippetCompletion(`${o.name} {\n\t\${}\n}`, info)
          : { ...info, apply: `${o.name} = ` };
      });
    }
    return options.length > 0 ? { from: word.from, options, validFor: /^[A-Za-z0-9_.-]*$/ } : null;
  };
}
