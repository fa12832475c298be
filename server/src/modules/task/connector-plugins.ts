import {
  COMMON_OPTIONS,
  PLUGINS,
  type OptionValueType,
  type PluginDefinition,
  type PluginKind,
  type PluginOption,
} from '../engine/index.js';
import {
  ConnectorOptionType,
  PluginKindEnum,
  type ConnectorOption,
  type ConnectorPlugin,
} from './connector-plugin.types.js';
import { TaskEngine, TaskMode } from './task.enums.js';

const KINDS: Record<PluginKind, PluginKindEnum> = {
  source: PluginKindEnum.SOURCE,
  transform: PluginKindEnum.TRANSFORM,
  sink: PluginKindEnum.SINK,
};

const OPTION_TYPES: Record<OptionValueType, ConnectorOptionType> = {
  string: ConnectorOptionType.STRING,
  int: ConnectorOptionType.INT,
  boolean: ConnectorOptionType.BOOLEAN,
  double: ConnectorOptionType.DOUBLE,
  enum: ConnectorOptionType.ENUM,
  list: ConnectorOptionType.LIST,
  object: ConnectorOptionType.OBJECT,
  'string-or-list': ConnectorOptionType.STRING_OR_LIST,
};

function option(o: PluginOption, common: boolean): ConnectorOption {
  return {
    name: o.name,
    type: OPTION_TYPES[o.type],
    required: o.required ?? false,
    default: o.default ?? null,
    enumValues: o.enumValues ?? null,
    description: o.description ?? null,
    common,
  };
}

function plugin(p: PluginDefinition): ConnectorPlugin {
  const own = new Set(p.options.map((o) => o.name));
  return {
    name: p.name,
    kind: KINDS[p.kind],
    modes: p.modes.map((m) => (m === 'BATCH' ? TaskMode.BATCH : TaskMode.STREAMING)),
    embedded: p.embedded,
    datasourceTypes: p.datasourceTypes ?? [],
    oneOf: p.oneOf ?? [],
    // A plugin's own declaration of a common option (none today) is the more precise one.
    options: [
      ...p.options.map((o) => option(o, false)),
      ...COMMON_OPTIONS[p.kind].filter((o) => !own.has(o.name)).map((o) => option(o, true)),
    ],
  };
}

/** The registry as the API shows it: built once, it never changes while the server runs. */
const ALL: readonly ConnectorPlugin[] = PLUGINS.map(plugin);

/** The plugins a task editor offers, in the registry's order: those of one kind, those an engine runs. */
export function listConnectorPlugins(filter: { kind?: PluginKindEnum; engine?: TaskEngine }): ConnectorPlugin[] {
  return ALL.filter(
    (p) => (!filter.kind || p.kind === filter.kind) && (filter.engine !== TaskEngine.EMBEDDED || p.embedded),
  );
}
