import { useEventListener } from '@vueuse/core';
import { useRouter } from 'vue-router';

export interface ShortcutOptions {
  /** Called on "?" (show the list of shortcuts). */
  onHelp?: () => void;
}

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * Console-style keys: "g" then d/t/r goes to datasources, tasks or runs; "/" focuses the page's
 * search box (any input marked data-search); "?" shows help. Ignored while typing in a field.
 */
export function useShortcuts(options: ShortcutOptions = {}): void {
  const router = useRouter();
  let pendingG = 0;
  useEventListener(window, 'keydown', (event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
    const now = Date.now();
    if (pendingG && now - pendingG < 1_200) {
      pendingG = 0;
      const target = { d: 'datasources', t: 'tasks', r: 'runs' }[event.key];
      if (target) {
        event.preventDefault();
        void router.push({ name: target });
      }
      return;
    }
    if (event.key === 'g') pendingG = now;
    else if (event.key === '/') {
      const search = document.querySelector<HTMLInputElement>('[data-search] input, input[data-search]');
      if (search) {
        event.preventDefault();
        search.focus();
      }
    } else if (event.key === '?') options.onHelp?.();
  });
}
