/** What a form field needs to know about an option: the registry's declaration, or RAW for an unknown option. */
export interface FieldOption {
  name: string;
  type: 'STRING' | 'INT' | 'DOUBLE' | 'BOOLEAN' | 'ENUM' | 'LIST' | 'OBJECT' | 'STRING_OR_LIST' | 'RAW';
  required?: boolean;
  default?: unknown;
  enumValues?: readonly string[] | null;
  description?: string | null;
}

/** A datasource a block may reference by name. */
export interface DatasourceChoice {
  id: string;
  name: string;
  type: string;
}
