import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configsEqual, parseJobConfig, renderHocon, renderJson } from '../../server/src/modules/job-config/index.js';

// Real SeaTunnel job configs (see ../shared/conformance/README.md): what users will import.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpusDir = path.resolve(repoRoot, '../shared/conformance/seatunnel-configs');
const files = existsSync(corpusDir)
  ? readdirSync(corpusDir)
      .filter((f) => f.endsWith('.conf'))
      .sort()
  : [];

describe('SeaTunnel conformance configs', () => {
  it('are all there', () => {
    expect(existsSync(corpusDir), `the conformance configs are missing: looked in ${corpusDir}`).toBe(true);
    expect(files.length, `expected the 63 SeaTunnel configs in ${corpusDir}`).toBeGreaterThanOrEqual(63);
  });

  it.each(files)('%s parses, has a source and a sink, and survives both renderings', (file) => {
    const { config, diagnostics } = parseJobConfig(readFileSync(path.join(corpusDir, file), 'utf8'), 'HOCON');
    expect(diagnostics.filter((d) => d.severity === 'ERROR')).toEqual([]);
    expect(config.source.length).toBeGreaterThanOrEqual(1);
    expect(config.sink.length).toBeGreaterThanOrEqual(1);

    const hocon = renderHocon(config);
    const fromHocon = parseJobConfig(hocon, 'HOCON');
    expect(configsEqual(fromHocon.config, config), `HOCON round trip of ${file}:\n${hocon}`).toBe(true);
    expect(fromHocon.diagnostics.filter((d) => d.severity !== 'INFO')).toEqual([]);
    expect(renderHocon(fromHocon.config)).toBe(hocon);

    const json = renderJson(config);
    const fromJson = parseJobConfig(json, 'JSON');
    expect(configsEqual(fromJson.config, config), `JSON round trip of ${file}:\n${json}`).toBe(true);
    expect(fromJson.diagnostics.filter((d) => d.severity !== 'INFO')).toEqual([]);
  });
});
