import {
  entryPosition,
  isConcatenation,
  isConfigObject,
  isExactNumber,
  isSubstitution,
  own,
  recordEntry,
  setOwn,
  type ConfigObject,
  type ConfigValue,
  type Diagnostic,
  type JobConfig,
  type PluginBlock,
  type Position,
  type Severity,
} from './model.js';
import type { Field, ObjectNode, SyntaxNode } from './syntax.js';

const SECTIONS = ['source', 'transform', 'sink'] as const;
type Section = (typeof SECTIONS)[number];
const isSection = (key: string): key is Section => (SECTIONS as readonly string[]).includes(key);

/** Old option names SeaTunnel still accepts, and their current names. */
const RENAMED_OPTIONS = [
  ['result_table_name', 'plugin_output'],
  ['source_table_name', 'plugin_input'],
] as const;

/** `env.job.mode`, `source[0].url`, `sink[1].rules["a.b"][2]`. */
export function pathJoin(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z0-9_-]+$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

function kindOf(node: SyntaxNode): string {
  if (node.kind === 'object') return 'an object';
  if (node.kind === 'array') return 'a list';
  const { value } = node;
  if (value === null) return 'null';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value)}`;
  if (typeof value === 'number' || isExactNumber(value)) return 'a number';
  if (typeof value === 'boolean') return `${value}`;
  if (isSubstitution(value)) return 'a substitution';
  return 'a concatenation';
}

/** Turns a syntax tree into a JobConfig; structural problems become diagnostics, never exceptions. */
export function buildJobConfig(root: ObjectNode): { config: JobConfig; diagnostics: Diagnostic[] } {
  return new Builder().build(root);
}

class Builder {
  private readonly diagnostics: Diagnostic[] = [];

  build(root: ObjectNode): { config: JobConfig; diagnostics: Diagnostic[] } {
    const envFields: Field[] = [];
    const otherFields: Field[] = [];
    const blocks: Record<Section, PluginBlock[]> = { source: [], transform: [], sink: [] };
    const sectionAt: Partial<Record<Section, Position>> = {};

    for (const field of root.fields) {
      const [head = '', ...rest] = field.path;
      if (head === 'env') {
        if (field.append) this.report('ERROR', "'+=' cannot be used on env", field.pos, 'env');
        else if (rest.length > 0) envFields.push({ ...field, path: rest });
        else if (field.value.kind === 'object') envFields.push(...field.value.fields);
        else this.report('ERROR', `env must be an object, found ${kindOf(field.value)}`, field.value.pos, 'env');
      } else if (isSection(head)) {
        sectionAt[head] ??= field.pos;
        if (field.append) this.report('ERROR', `'+=' cannot be used on ${head}`, field.pos, head);
        else if (rest.length > 0) this.pluginField(head, { ...field, path: rest }, blocks[head]);
        else if (field.value.kind === 'object') {
          for (const plugin of field.value.fields) this.pluginField(head, plugin, blocks[head]);
        } else if (field.value.kind === 'array') {
          for (const item of field.value.items) this.restPlugin(head, item, blocks[head]);
        } else {
          this.report(
            'ERROR',
            `${head} must be an object of plugins or a list of plugin objects, found ${kindOf(field.value)}`,
            field.value.pos,
            head,
          );
        }
      } else otherFields.push(field);
    }

    const env = this.object(envFields, 'env');
    const other = this.object(otherFields, '');
    for (const key of Object.keys(other)) {
      this.report(
        'INFO',
        `unknown top-level key "${key}" is kept as it is (SeaTunnel reads env, source, transform and sink)`,
        entryPosition(other, key)?.key,
        pathJoin('', key),
      );
    }
    for (const section of ['source', 'sink'] as const) {
      if (blocks[section].length > 0) continue;
      const at = sectionAt[section];
      this.report(
        'ERROR',
        at ? `the ${section} block has no plugin` : `the job has no ${section} block`,
        at ?? { line: 1, column: 1 },
        section,
      );
    }
    const config: JobConfig = { env, source: blocks.source, transform: blocks.transform, sink: blocks.sink, other };
    return { config, diagnostics: this.diagnostics };
  }

  private report(severity: Severity, message: string, at: Position | undefined, path?: string): void {
    this.diagnostics.push({
      severity,
      message,
      ...(at ? { line: at.line, column: at.column } : {}),
      ...(path ? { path } : {}),
    });
  }

  /** `Jdbc { ... }` inside a section: one block per key, repeated keys stay separate. */
  private pluginField(section: Section, field: Field, blocks: PluginBlock[]): void {
    const [plugin = '', ...rest] = field.path;
    const path = pathJoin(section, blocks.length);
    if (field.append) {
      this.report('ERROR', `'+=' cannot add a plugin; write ${plugin} { ... }`, field.pos, path);
      return;
    }
    let options: ConfigObject;
    if (rest.length > 0) {
      this.report(
        'WARNING',
        `"${field.path.join('.')}" is read as plugin "${plugin}" with option ${rest.join('.')}; write ${plugin} { ... }`,
        field.pos,
        path,
      );
      options = this.object([{ ...field, path: rest }], path);
    } else if (field.value.kind === 'object') {
      options = this.object(field.value.fields, path);
    } else {
      this.report(
        'ERROR',
        `plugin "${plugin}" in ${section} must be an object ({ ... }), found ${kindOf(field.value)}`,
        field.value.pos,
        path,
      );
      return;
    }
    if (plugin === '') this.report('ERROR', `a plugin in ${section} has an empty name`, field.pos, path);
    if (Object.hasOwn(options, 'plugin_name')) {
      this.report(
        'WARNING',
        `plugin_name inside "${plugin} { }" is ignored: the key names the plugin`,
        entryPosition(options, 'plugin_name')?.key,
        pathJoin(path, 'plugin_name'),
      );
      options = this.withoutKey(options, 'plugin_name');
    }
    blocks.push({
      plugin,
      options: this.renameOldOptions(options, path),
      line: field.pos.line,
      column: field.pos.column,
    });
  }

  /** `[{ plugin_name = Jdbc, ... }]`: SeaTunnel's REST form. */
  private restPlugin(section: Section, item: SyntaxNode, blocks: PluginBlock[]): void {
    const path = pathJoin(section, blocks.length);
    if (item.kind !== 'object') {
      this.report(
        'ERROR',
        `each entry of the ${section} list must be an object with plugin_name, found ${kindOf(item)}`,
        item.pos,
        path,
      );
      return;
    }
    const options = this.object(item.fields, path);
    const plugin = own(options, 'plugin_name');
    if (typeof plugin !== 'string' || plugin === '') {
      this.report('ERROR', `an entry of the ${section} list has no plugin_name (a non-empty string)`, item.pos, path);
      return;
    }
    const at = entryPosition(options, 'plugin_name')?.key ?? item.pos;
    const rest = this.renameOldOptions(this.withoutKey(options, 'plugin_name'), path);
    blocks.push({ plugin, options: rest, line: at.line, column: at.column });
  }

  private renameOldOptions(options: ConfigObject, path: string): ConfigObject {
    let result = options;
    for (const [old, current] of RENAMED_OPTIONS) {
      if (!Object.hasOwn(result, old)) continue;
      const at = entryPosition(result, old)?.key;
      if (Object.hasOwn(result, current)) {
        this.report(
          'WARNING',
          `${old} and ${current} are both set: keeping ${current}, dropping ${old}`,
          at,
          pathJoin(path, old),
        );
        result = this.withoutKey(result, old);
      } else {
        this.report('WARNING', `${old} is the old name of ${current}: renamed`, at, pathJoin(path, old));
        result = this.withoutKey(result, old, current);
      }
    }
    return result;
  }

  /** A copy without `key` (or with it renamed in place), positions carried over. */
  private withoutKey(object: ConfigObject, key: string, renameTo?: string): ConfigObject {
    const copy: ConfigObject = {};
    for (const [k, v] of Object.entries(object)) {
      if (k === key && renameTo === undefined) continue;
      const target = k === key && renameTo !== undefined ? renameTo : k;
      setOwn(copy, target, v);
      const entry = entryPosition(object, k);
      if (entry) recordEntry(copy, target, entry);
    }
    return copy;
  }

  /** Applies fields in order with HOCON's rules: objects merge, anything else replaces. */
  private object(fields: Field[], path: string): ConfigObject {
    const object: ConfigObject = {};
    for (const field of fields) this.apply(object, field.path, field, path);
    this.checkReservedShape(object, path, fields[0]?.pos);
    return object;
  }

  private apply(object: ConfigObject, keyPath: string[], field: Field, basePath: string): void {
    let target = object;
    let path = basePath;
    for (const key of keyPath.slice(0, -1)) {
      path = pathJoin(path, key);
      const existing = own(target, key);
      if (isConfigObject(existing)) {
        target = existing;
        continue;
      }
      if (existing !== undefined) this.replaced(path, field.pos);
      const fresh: ConfigObject = {};
      setOwn(target, key, fresh);
      recordEntry(target, key, { key: field.pos, value: field.pos });
      target = fresh;
    }
    const key = keyPath.at(-1) ?? '';
    path = pathJoin(path, key);
    const existing = own(target, key);
    if (field.append) {
      if (existing === undefined) {
        const list: ConfigValue[] = [];
        setOwn(target, key, list);
        recordEntry(target, key, { key: field.pos, value: field.value.pos });
        this.push(list, field.value, path);
      } else if (Array.isArray(existing)) {
        this.push(existing, field.value, path);
      } else {
        this.report('ERROR', `'+=' adds to a list, but ${path || key} is not a list`, field.pos, path);
      }
      return;
    }
    if (field.value.kind === 'object' && isConfigObject(existing)) {
      for (const inner of field.value.fields) this.apply(existing, inner.path, inner, path);
      return;
    }
    if (existing !== undefined) this.replaced(path, field.pos);
    setOwn(target, key, this.value(field.value, path));
    recordEntry(target, key, { key: field.pos, value: field.value.pos });
  }

  private push(list: ConfigValue[], node: SyntaxNode, path: string): void {
    const index = list.length;
    list.push(this.value(node, pathJoin(path, index)));
    recordEntry(list, index, { value: node.pos });
  }

  private replaced(path: string, at: Position): void {
    this.report('WARNING', `${path} is set more than once; the value at line ${at.line} wins`, at, path);
  }

  private value(node: SyntaxNode, path: string): ConfigValue {
    switch (node.kind) {
      case 'object':
        return this.object(node.fields, path);
      case 'array': {
        const list: ConfigValue[] = [];
        for (const item of node.items) this.push(list, item, path);
        return list;
      }
      case 'scalar':
        return node.value;
    }
  }

  private checkReservedShape(object: ConfigObject, path: string, at: Position | undefined): void {
    if (isSubstitution(object) || isConcatenation(object) || isExactNumber(object)) {
      this.report(
        'ERROR',
        `${path || 'an object'} has the shape of a model marker; the keys $substitution, $concat and $number are reserved`,
        at,
        path,
      );
    }
  }
}
