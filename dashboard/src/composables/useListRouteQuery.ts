import { useDebounceFn } from '@vueuse/core';
import { computed, onScopeDispose, ref, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { useRoute, useRouter, type LocationQueryRaw } from 'vue-router';

export interface ListRouteQueryOptions {
  /** The page sizes `size` may name; any other value means `defaultPageSize`. Default [20, 50, 100]. */
  pageSizes?: readonly number[];
  /** The page size when the address names none (or one not in `pageSizes`). Default: the first of `pageSizes`. */
  defaultPageSize?: number;
  /** How long the search box waits after the last keystroke before it writes `q`, in ms. Default 300. */
  searchDebounce?: number;
  /** Keys `clearFilters` leaves in the address (a page size is a preference, not a filter). Default: none. */
  keepOnClear?: readonly string[];
}

/** Changes to the address: a value sets its key, null, undefined or '' removes it. */
export type QueryChanges = Record<string, string | number | null | undefined>;

/**
 * A list page's filters, search text and paging kept in the route query, so a reload or a shared
 * link shows the same view. The address is the only state: the page reads it through `get`,
 * `page`, `pageSize` and `search`, and changes it with `setQuery`. Search is `q`, paging is `page`
 * (from 1) and `size`; the page names its other keys.
 */
export function useListRouteQuery(options: ListRouteQueryOptions = {}) {
  const pageSizes = options.pageSizes ?? [20, 50, 100];
  const defaultPageSize = options.defaultPageSize ?? pageSizes[0]!;
  const keepOnClear = options.keepOnClear ?? [];
  const route = useRoute();
  const router = useRouter();

  /** A key's value: the first when it is repeated, undefined when it is missing or empty. */
  function get(key: string): string | undefined {
    const value = route.query[key];
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' && first !== '' ? first : undefined;
  }

  const page = computed(() => Math.max(1, Number.parseInt(get('page') ?? '1', 10) || 1));
  const pageSize = computed(() => {
    const size = Number(get('size'));
    return pageSizes.includes(size) ? size : defaultPageSize;
  });
  const search = computed(() => get('q') ?? '');

  /** Changes the given keys and keeps the others; any change but paging goes back to page 1. */
  function setQuery(changes: QueryChanges): void {
    const next: LocationQueryRaw = { ...route.query };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === undefined || value === '') delete next[key];
      else next[key] = String(value);
    }
    if (!('page' in changes)) delete next.page;
    void router.replace({ query: next });
  }

  // The box holds what is typed; the address gets it once typing pauses, and the box follows the
  // address when that changes otherwise (a link, "clear filters").
  const searchText = ref(search.value);
  // A write still pending when the page closes belongs to that page, not to the next one's address.
  let disposed = false;
  onScopeDispose(() => (disposed = true));
  const applySearch = useDebounceFn((text: string) => {
    if (!disposed) setQuery({ q: text.trim() });
  }, options.searchDebounce ?? 300);
  watch(searchText, (text) => void applySearch(text));
  watch(search, (value) => {
    if (value !== searchText.value.trim()) searchText.value = value;
  });

  /** Empties the search box and removes every key but `keepOnClear`. */
  function clearFilters(): void {
    searchText.value = '';
    const kept: LocationQueryRaw = {};
    for (const key of keepOnClear) if (get(key) !== undefined) kept[key] = route.query[key];
    void router.replace({ query: kept });
  }

  /**
   * Moves a page past the end (its last row was deleted, or an old link) to the last page, once the
   * list has loaded. `rows` is the shown page's rows, `total` the count over all pages.
   */
  function clampPage(list: {
    rows: MaybeRefOrGetter<readonly unknown[]>;
    total: MaybeRefOrGetter<number>;
    fetching: MaybeRefOrGetter<boolean>;
  }): void {
    watch([() => toValue(list.rows), () => toValue(list.total)], ([rows, total]) => {
      if (rows.length === 0 && total > 0 && page.value > 1 && !toValue(list.fetching)) {
        const last = Math.ceil(total / pageSize.value);
        setQuery({ page: last > 1 ? last : null });
      }
    });
  }

  return { get, page, pageSize, pageSizes: [...pageSizes], search, searchText, setQuery, clearFilters, clampPage };
}
