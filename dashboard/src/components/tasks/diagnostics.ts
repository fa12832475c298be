/** A problem or remark about a config: from the local parse or from the server (`ConfigDiagnostic`). */
export interface TaskDiagnostic {
  severity: 'ERROR' | 'WARNING' | 'INFO';
  message: string;
  line?: number | null;
  column?: number | null;
  path?: string | null;
}

const RANK = { ERROR: 0, WARNING: 1, INFO: 2 } as const;

/** One list, each problem once, errors first, then in text order. */
export function mergeDiagnostics(...lists: readonly (readonly TaskDiagnostic[])[]): TaskDiagnostic[] {
  const seen = new Set<string>();
  const out: TaskDiagnostic[] = [];
  for (const d of lists.flat()) {
    const key = `${d.severity}|${d.line ?? ''}|${d.column ?? ''}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort(
    (a, b) =>
      RANK[a.severity] - RANK[b.severity] ||
      (a.line ?? Infinity) - (b.line ?? Infinity) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

/** The diagnostics a refused save carries in `extensions.diagnostics` (BAD_USER_INPUT on content). */
export function diagnosticsOfError(error: { graphQLErrors?: readonly { extensions?: Record<string, unknown> }[] }) {
  const raw = error.graphQLErrors?.[0]?.extensions?.diagnostics;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (d): d is TaskDiagnostic =>
      typeof d === 'object' && d !== null && typeof (d as TaskDiagnostic).message === 'string',
  );
}
