import { buildJobConfig } from './build.js';
import { parseHocon } from './hocon-parser.js';
import { parseJson } from './json-parser.js';
import type { ConfigFormat, Diagnostic, JobConfig } from './model.js';

export {
  ConfigSyntaxError,
  getOption,
  isConcatenation,
  isConfigObject,
  isExactNumber,
  isSubstitution,
  positionOf,
  substitutionText,
  type Concatenation,
  type ConfigFormat,
  type ConfigObject,
  type ConfigValue,
  type Diagnostic,
  type ExactNumber,
  type JobConfig,
  type PluginBlock,
  type Position,
  type Severity,
  type Substitution,
} from './model.js';
export { configsEqual } from './equality.js';
export { renderHocon } from './render-hocon.js';
export { renderJson } from './render-json.js';
export {
  MissingVariablesError,
  RESERVED_PLACEHOLDERS,
  resolveVariables,
  variablesOf,
  type JobVariable,
} from './variables.js';

/**
 * Parses a SeaTunnel job config. Throws ConfigSyntaxError for mistakes in the text only;
 * structural problems (no source, a plugin that is not an object, ...) come back as ERROR
 * diagnostics with positions, next to everything that could still be read.
 */
export function parseJobConfig(text: string, format: ConfigFormat): { config: JobConfig; diagnostics: Diagnostic[] } {
  return buildJobConfig(format === 'JSON' ? parseJson(text) : parseHocon(text));
}
