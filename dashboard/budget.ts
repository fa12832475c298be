import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

interface ChunkLike {
  type: 'chunk';
  fileName: string;
  code: string;
  isEntry: boolean;
  imports: string[];
}

/**
 * Prints what a first visit downloads (the entry chunk and everything it imports statically, gzip)
 * and fails the build above the budget. Lazy routes are listed apart: they load on navigation.
 * Vite's own report lists every file; none of it sums the initial load, which is the figure that matters.
 */
export function bundleBudget(limitKiB: number): Plugin {
  return {
    name: 'sluice-bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, ChunkLike>();
      for (const item of Object.values(bundle)) if (item.type === 'chunk') chunks.set(item.fileName, item);
      const initial = new Set<string>();
      const visit = (name: string) => {
        if (initial.has(name)) return;
        initial.add(name);
        for (const dep of chunks.get(name)?.imports ?? []) visit(dep);
      };
      for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk.fileName);
      const gz = (name: string) => gzipSync(chunks.get(name)?.code ?? '').length;
      const initialBytes = [...initial].reduce((sum, name) => sum + gz(name), 0);
      const lazy = [...chunks.keys()].filter((name) => !initial.has(name));
      const lazyBytes = lazy.reduce((sum, name) => sum + gz(name), 0);
      const kib = (n: number) => (n / 1024).toFixed(1);
      const line =
        `bundle budget: initial JavaScript ${kib(initialBytes)} KiB gzip in ${initial.size} files ` +
        `(limit ${limitKiB} KiB); ${lazy.length} lazy chunks, ${kib(lazyBytes)} KiB gzip`;
      console.log(`\n${line}`);
      if (initialBytes > limitKiB * 1024) this.error(`${line}: over budget`);
    },
  };
}
