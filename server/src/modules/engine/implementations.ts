/**
 * The embedded engine's implementations, by kind and lower-case plugin name. Each name here has a
 * declaration (options, modes) in connector-registry.ts; a test checks the two agree.
 */
import { AssertSink } from './connectors/assert-sink.js';
import { ConsoleSink } from './connectors/console-sink.js';
import { FakeSource } from './connectors/fake-source.js';
import { localFileSink } from './connectors/file/local-file-sink.js';
import { localFileSource } from './connectors/file/local-file-source.js';
import { jdbcSink } from './connectors/jdbc/sink.js';
import { jdbcSource } from './connectors/jdbc/source.js';
import type { PluginFactoryInput, Sink, Source, Transform } from './plugin.js';
import { rowKindExtractorTransform } from './transforms/row-kind-extractor.js';
import {
  CopyTransform,
  FieldMapperTransform,
  FilterRowKindTransform,
  FilterTransform,
  ReplaceTransform,
} from './transforms/simple.js';
import { splitTransform } from './transforms/split.js';
import { sqlTransform } from './transforms/sql/sql-transform.js';

export type SourceFactory = (input: PluginFactoryInput) => Source;
export type TransformFactory = (input: PluginFactoryInput) => Transform;
export type SinkFactory = (input: PluginFactoryInput) => Sink;

export const SOURCE_IMPLEMENTATIONS: Record<string, SourceFactory> = {
  fakesource: ({ options }) => new FakeSource(options),
  localfile: localFileSource,
  jdbc: jdbcSource,
};
export const TRANSFORM_IMPLEMENTATIONS: Record<string, TransformFactory> = {
  rowkindextractor: rowKindExtractorTransform,
  split: splitTransform,
  fieldmapper: ({ options }) => new FieldMapperTransform(options),
  filter: ({ options }) => new FilterTransform(options),
  replace: ({ options }) => new ReplaceTransform(options),
  copy: ({ options }) => new CopyTransform(options),
  filterrowkind: ({ options }) => new FilterRowKindTransform(options),
  sql: sqlTransform,
};
export const SINK_IMPLEMENTATIONS: Record<string, SinkFactory> = {
  console: ({ options }) => new ConsoleSink(options),
  assert: ({ options }) => new AssertSink(options),
  localfile: localFileSink,
  jdbc: jdbcSink,
};
