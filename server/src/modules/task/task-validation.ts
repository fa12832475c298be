import {
  COMMON_OPTIONS,
  embeddedPlugins,
  findPlugin,
  kindsOf,
  type PluginDefinition,
  type PluginKind,
  type PluginOption,
} from '../engine/index.js';
import {
  getOption,
  isConcatenation,
  isConfigObject,
  isExactNumber,
  isSubstitution as isSubstitutionNode,
  variablesOf,
  type ConfigObject,
  type ConfigValue,
  type Diagnostic,
  type JobConfig,
  type PluginBlock,
} from '../job-config/index.js';
import { TaskEngine, TaskMode } from './task.enums.js';
import type { TaskVariable } from './task.model.js';

/** A datasource as validation sees it: enough to check a reference. */
export interface DatasourceRef {
  id: string;
  name: string;
  type: string;
}

export interface ValidationContext {
  engine: TaskEngine;
  variables: TaskVariable[];
  datasources: DatasourceRef[];
}

const KINDS: { kind: PluginKind; key: 'source' | 'transform' | 'sink' }[] = [
  { kind: 'source', key: 'source' },
  { kind: 'transform', key: 'transform' },
  { kind: 'sink', key: 'sink' },
];

const isSubstitution = (v: ConfigValue): boolean => isSubstitutionNode(v) || isConcatenation(v);
const isObject = (v: ConfigValue): v is ConfigObject => isConfigObject(v);

/** A value as text for messages: scalars as written, anything else as JSON. */
function text(value: ConfigValue): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isExactNumber(value)) return value.$number;
  return JSON.stringify(value);
}

/** The value at a dotted option name, whether written flat (`"split.size"`) or as a path (`split { size }`). */
export const optionValue = getOption;

/** The job mode from env (`job.mode`), BATCH when absent. */
export function modeOf(config: JobConfig): TaskMode {
  const mode = optionValue(config.env, 'job.mode');
  return typeof mode === 'string' && mode.toUpperCase() === 'STREAMING' ? TaskMode.STREAMING : TaskMode.BATCH;
}

/** EMBEDDED when the embedded engine runs every plugin of the config, else SEATUNNEL. */
export function suggestedEngine(config: JobConfig): TaskEngine {
  for (const { kind, key } of KINDS) {
    for (const block of config[key]) if (!findPlugin(kind, block.plugin)?.embedded) return TaskEngine.SEATUNNEL;
  }
  return TaskEngine.EMBEDDED;
}

/** Everything wrong (ERROR), doubtful (WARNING) or worth knowing (INFO) about a config, each with where it is. */
export function validateJobConfig(config: JobConfig, context: ValidationContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const mode = modeOf(config);

  const jobMode = optionValue(config.env, 'job.mode');
  if (
    jobMode !== undefined &&
    !isSubstitution(jobMode) &&
    !['BATCH', 'STREAMING'].includes(text(jobMode).toUpperCase())
  ) {
    out.push({
      severity: 'ERROR',
      message: `env job.mode must be BATCH or STREAMING, not "${text(jobMode)}"`,
      path: 'env.job.mode',
    });
  }
  if (mode === TaskMode.STREAMING && optionValue(config.env, 'checkpoint.interval') === undefined) {
    out.push({
      severity: 'WARNING',
      message: 'A STREAMING job should set env checkpoint.interval (milliseconds) to checkpoint its progress',
      path: 'env.checkpoint.interval',
    });
  }
  if (config.source.length === 0) out.push({ severity: 'ERROR', message: 'The config has no source', path: 'source' });
  if (config.sink.length === 0) out.push({ severity: 'ERROR', message: 'The config has no sink', path: 'sink' });

  for (const { kind, key } of KINDS) {
    config[key].forEach((block, index) => checkBlock(block, kind, `${key}[${index}]`, mode, context, out));
  }
  checkWiring(config, out);
  checkVariables(config, context.variables, out);
  return out;
}

function at(block: PluginBlock): { line?: number; column?: number } {
  return { line: block.line, column: block.column };
}

function checkBlock(
  block: PluginBlock,
  kind: PluginKind,
  path: string,
  mode: TaskMode,
  context: ValidationContext,
  out: Diagnostic[],
): void {
  const where = { ...at(block), path: `${path}.${block.plugin}` };
  const plugin = findPlugin(kind, block.plugin);
  if (!plugin) {
    const elsewhere = kindsOf(block.plugin);
    if (elsewhere.length > 0) {
      out.push({
        severity: 'ERROR',
        message: `${block.plugin} is a ${elsewhere.join(' and ')}, not a ${kind}`,
        ...where,
      });
    } else if (context.engine === TaskEngine.EMBEDDED) {
      out.push({
        severity: 'ERROR',
        message: `The embedded engine has no ${kind} plugin "${block.plugin}" (it has: ${embeddedPlugins(kind).join(', ')}); choose engine SEATUNNEL to run it on a SeaTunnel cluster`,
        ...where,
      });
    } else {
      out.push({
        severity: 'INFO',
        message: `Sluice does not know the options of ${kind} plugin "${block.plugin}"; they go to SeaTunnel as written`,
        ...where,
      });
    }
    return;
  }
  if (context.engine === TaskEngine.EMBEDDED && !plugin.embedded) {
    out.push({
      severity: 'ERROR',
      message: `The embedded engine does not run ${plugin.name} yet; choose engine SEATUNNEL to run it on a SeaTunnel cluster`,
      ...where,
    });
  }
  if (!plugin.modes.includes(mode)) {
    out.push({
      severity: 'WARNING',
      message: `${plugin.name} supports ${plugin.modes.join(' and ')} jobs, this one is ${mode}`,
      ...where,
    });
  }
  checkDatasource(block, plugin, context, where, out);
  checkOptions(block, plugin, kind, where, out);
}

function checkDatasource(
  block: PluginBlock,
  plugin: PluginDefinition,
  context: ValidationContext,
  where: Partial<Diagnostic>,
  out: Diagnostic[],
): void {
  const ref = block.options.datasource;
  if (ref === undefined) return;
  if (typeof ref !== 'string') {
    out.push({
      severity: 'ERROR',
      message: 'datasource must be the name or id of a datasource',
      ...where,
      path: `${where.path}.datasource`,
    });
    return;
  }
  const found = context.datasources.find((d) => d.id === ref || d.name.toLowerCase() === ref.toLowerCase());
  if (!found) {
    out.push({
      severity: 'ERROR',
      message: `There is no datasource "${ref}" in this workspace`,
      ...where,
      path: `${where.path}.datasource`,
    });
  } else if (!plugin.datasourceTypes?.includes(found.type)) {
    out.push({
      severity: 'ERROR',
      message: `${plugin.name} cannot use ${found.type} datasource "${found.name}" (it takes ${plugin.datasourceTypes?.join(', ') ?? 'none'})`,
      ...where,
      path: `${where.path}.datasource`,
    });
  }
}

function checkOptions(
  block: PluginBlock,
  plugin: PluginDefinition,
  kind: PluginKind,
  where: Partial<Diagnostic>,
  out: Diagnostic[],
): void {
  const declared = [...COMMON_OPTIONS[kind], ...plugin.options];
  const usesDatasource = block.options.datasource !== undefined;
  // Options a datasource supplies are not required in the block.
  const supplied = new Set(usesDatasource ? ['url', 'driver', 'user', 'username', 'password', 'path'] : []);
  for (const option of declared) {
    const value = optionValue(block.options, option.name);
    if (value === undefined) {
      if (option.required && !supplied.has(option.name)) {
        out.push({
          severity: 'ERROR',
          message: `${plugin.name} needs option ${option.name}`,
          ...where,
          path: `${where.path}.${option.name}`,
        });
      }
      continue;
    }
    const problem = typeProblem(option, value);
    if (problem)
      out.push({
        severity: 'ERROR',
        message: `${plugin.name} option ${option.name} ${problem}`,
        ...where,
        path: `${where.path}.${option.name}`,
      });
  }
  for (const group of plugin.oneOf ?? []) {
    if (!group.some((name) => optionValue(block.options, name) !== undefined)) {
      out.push({ severity: 'ERROR', message: `${plugin.name} needs one of ${group.join(', ')}`, ...where });
    }
  }
  for (const name of unknownOptions(block.options, declared)) {
    out.push({
      severity: 'WARNING',
      message: `${plugin.name} has no documented option "${name}"; it is kept as written`,
      ...where,
      path: `${where.path}.${name}`,
    });
  }
}

/** Option names in `options` that nothing declares (descending into path keys such as `split { size }`). */
function unknownOptions(options: ConfigObject, declared: PluginOption[], prefix = ''): string[] {
  const names = declared.map((o) => o.name);
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    const name = prefix + key;
    if (names.includes(name)) continue;
    if (isObject(value) && names.some((n) => n.startsWith(`${name}.`)))
      unknown.push(...unknownOptions(value, declared, `${name}.`));
    else unknown.push(name);
  }
  return unknown;
}

function typeProblem(option: PluginOption, value: ConfigValue): string | undefined {
  if (isSubstitution(value)) return undefined; // known at run time
  const literal = typeof value === 'string' ? value : isExactNumber(value) ? value.$number : undefined;
  switch (option.type) {
    case 'string':
      return isObject(value) || Array.isArray(value) ? 'must be a single value, not a list or object' : undefined;
    case 'int':
      return (typeof value === 'number' && Number.isInteger(value)) || /^-?\d+$/.test(literal ?? '')
        ? undefined
        : 'must be a whole number';
    case 'double':
      return typeof value === 'number' || /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(literal ?? '')
        ? undefined
        : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' || /^(true|false)$/i.test(literal ?? '') ? undefined : 'must be true or false';
    case 'enum': {
      const match = option.enumValues?.find((v) => v.toLowerCase() === text(value).toLowerCase());
      return match ? undefined : `must be one of ${option.enumValues?.join(', ')}, not "${text(value)}"`;
    }
    case 'list':
      return Array.isArray(value) ? undefined : 'must be a list';
    case 'object':
      return isObject(value) ? undefined : 'must be an object';
    case 'string-or-list':
      return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))
        ? undefined
        : 'must be a table name or a list of them';
  }
}

function tableNames(value: ConfigValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Every plugin_input names a table some source or transform produces; no name twice; no cycle among transforms. */
function checkWiring(config: JobConfig, out: Diagnostic[]): void {
  const producers = new Map<string, string>();
  for (const [key, blocks] of [
    ['source', config.source],
    ['transform', config.transform],
  ] as const) {
    blocks.forEach((block, index) => {
      for (const name of tableNames(block.options.plugin_output)) {
        if (producers.has(name)) {
          out.push({
            severity: 'ERROR',
            message: `Two plugins produce table "${name}"`,
            ...at(block),
            path: `${key}[${index}].${block.plugin}.plugin_output`,
          });
        }
        producers.set(name, `${key}[${index}]`);
      }
    });
  }
  for (const [key, blocks] of [
    ['transform', config.transform],
    ['sink', config.sink],
  ] as const) {
    blocks.forEach((block, index) => {
      for (const name of tableNames(block.options.plugin_input)) {
        if (!producers.has(name)) {
          out.push({
            severity: 'ERROR',
            message: `${block.plugin} reads table "${name}", which no source or transform produces${producers.size ? ` (there are: ${[...producers.keys()].join(', ')})` : ''}`,
            ...at(block),
            path: `${key}[${index}].${block.plugin}.plugin_input`,
          });
        }
      }
    });
  }
  // A cycle: transform A reads what B produces and B (eventually) reads what A produces.
  const reads = new Map<number, number[]>();
  config.transform.forEach((block, index) => {
    reads.set(
      index,
      tableNames(block.options.plugin_input)
        .map((name) => producers.get(name))
        .filter((p): p is string => p?.startsWith('transform[') ?? false)
        .map((p) => Number(p.slice('transform['.length, -1))),
    );
  });
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (i: number, trail: number[]): void => {
    if (state.get(i) === 'done') return;
    if (state.get(i) === 'visiting') {
      const cycle = trail.slice(trail.indexOf(i)).map((t) => config.transform[t]!.plugin);
      out.push({
        severity: 'ERROR',
        message: `The transforms read each other in a cycle: ${[...cycle, cycle[0]].join(' → ')}`,
        ...at(config.transform[i]!),
        path: `transform[${i}]`,
      });
      return;
    }
    state.set(i, 'visiting');
    for (const next of reads.get(i) ?? []) visit(next, [...trail, i]);
    state.set(i, 'done');
  };
  for (const i of reads.keys()) visit(i, []);
}

function checkVariables(config: JobConfig, declared: TaskVariable[], out: Diagnostic[]): void {
  for (const used of variablesOf(config)) {
    const variable = declared.find((v) => v.name === used.name);
    const hasValue =
      used.default !== undefined || used.optional || (variable && (variable.secret || variable.default != null));
    if (!hasValue) {
      out.push({
        severity: 'WARNING',
        message: `Variable ${used.name} has no default: every run must give it a value`,
        line: used.line,
        column: used.column,
      });
    }
  }
}
