import { describe, expect, it } from 'vitest';
import { PLUGINS, type PluginKind } from './connector-registry.js';
import { SINK_IMPLEMENTATIONS, SOURCE_IMPLEMENTATIONS, TRANSFORM_IMPLEMENTATIONS } from './implementations.js';

const IMPLEMENTATIONS: Record<PluginKind, Record<string, unknown>> = {
  source: SOURCE_IMPLEMENTATIONS,
  transform: TRANSFORM_IMPLEMENTATIONS,
  sink: SINK_IMPLEMENTATIONS,
};

describe('the embedded engine and the connector registry agree', () => {
  it('implements exactly the plugins the registry declares as embedded', () => {
    for (const kind of ['source', 'transform', 'sink'] as const) {
      const declared = PLUGINS.filter((p) => p.kind === kind && p.embedded)
        .map((p) => p.name.toLowerCase())
        .sort();
      expect(Object.keys(IMPLEMENTATIONS[kind]).sort(), kind).toEqual(declared);
    }
  });
});
