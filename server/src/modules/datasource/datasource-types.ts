import { UserInputError, type FieldProblem } from '../../errors.js';
import type { ConnectionOptions, DatasourceDriver, OptionDefinition } from './drivers/driver.js';

/** The options of a save, split the way they are stored. */
export interface ValidatedOptions {
  /** Non-secret options, defaults applied. */
  options: Record<string, string | number | boolean>;
  /** Secret options to set (name → value). */
  setSecrets: Record<string, string>;
  /** Secret options to clear (given as null). */
  clearSecrets: string[];
}

/**
 * The datasource types Sluice knows, each a driver with its option declarations. Forms, validation
 * and connection code all read the same declarations.
 */
export class DatasourceRegistry {
  private readonly drivers = new Map<string, DatasourceDriver>();

  constructor(drivers: DatasourceDriver[]) {
    for (const driver of drivers) this.drivers.set(driver.name, driver);
  }

  list(): DatasourceDriver[] {
    return [...this.drivers.values()];
  }

  get(type: string, field = 'type'): DatasourceDriver {
    const driver = this.drivers.get(type);
    if (!driver) {
      throw new UserInputError(`Unknown datasource type ${type}; known: ${[...this.drivers.keys()].join(', ')}`, {
        field,
      });
    }
    return driver;
  }

  /**
   * Checks `input` against the type's declarations and reports every problem, each by field
   * (`options.port`). Secrets: a string sets, null clears, absence keeps what is stored
   * (`storedSecrets` lists the names set), so an edit form need not know the password.
   */
  validate(driver: DatasourceDriver, input: Record<string, unknown>, storedSecrets: string[] = []): ValidatedOptions {
    const problems: FieldProblem[] = [];
    const result: ValidatedOptions = { options: {}, setSecrets: {}, clearSecrets: [] };
    const known = new Set(driver.options.map((o) => o.name));
    for (const name of Object.keys(input)) {
      if (!known.has(name)) {
        problems.push({
          field: `options.${name}`,
          message: `${driver.name} has no option "${name}" (it has: ${[...known].join(', ')})`,
        });
      }
    }
    for (const def of driver.options) {
      const field = `options.${def.name}`;
      const raw = input[def.name];
      if (def.secret) {
        if (raw === null) result.clearSecrets.push(def.name);
        else if (raw !== undefined) {
          if (typeof raw !== 'string' || raw.length === 0)
            problems.push({ field, message: `${field} must be a non-empty string` });
          else result.setSecrets[def.name] = raw;
        }
        const willBeSet = def.name in result.setSecrets || (raw === undefined && storedSecrets.includes(def.name));
        if (def.required && !willBeSet) problems.push({ field, message: `${field} is required` });
        continue;
      }
      if (raw === undefined || raw === null || raw === '') {
        if (def.default !== undefined) result.options[def.name] = def.default;
        else if (def.required) problems.push({ field, message: `${field} is required` });
        continue;
      }
      const problem = checkValue(def, raw);
      if (problem) problems.push({ field, message: `${field} ${problem}` });
      else result.options[def.name] = typeof raw === 'string' ? raw.trim() : (raw as number | boolean);
    }
    if (problems.length > 0) throw UserInputError.of(problems);
    return result;
  }
}

function checkValue(def: OptionDefinition, value: unknown): string | undefined {
  switch (def.type) {
    case 'STRING':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'PATH':
      return typeof value === 'string' && value.trim().startsWith('/') ? undefined : 'must be an absolute path';
    case 'BOOLEAN':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'ENUM':
      return typeof value === 'string' && def.enumValues?.includes(value)
        ? undefined
        : `must be one of ${def.enumValues?.join(', ')}`;
    case 'INTEGER': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number';
      if (def.min !== undefined && value < def.min) return `must be at least ${def.min}`;
      if (def.max !== undefined && value > def.max) return `must be at most ${def.max}`;
      return undefined;
    }
  }
}

/** Non-secret options plus decrypted secrets: what a driver connects with. */
export const connectionOptions = (
  options: Record<string, unknown>,
  secrets: Record<string, string>,
): ConnectionOptions => ({ ...options, ...secrets }) as ConnectionOptions;
