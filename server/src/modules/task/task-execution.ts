import type { ConnectionOptions, Datasource } from '../datasource/index.js';
import type { ConfigObject, JobConfig, PluginBlock } from '../job-config/index.js';

/** SeaTunnel's JDBC URL and driver class for a datasource type. */
const JDBC: Record<string, { scheme: string; driver: string }> = {
  POSTGRESQL: { scheme: 'postgresql', driver: 'org.postgresql.Driver' },
  MYSQL: { scheme: 'mysql', driver: 'com.mysql.cj.jdbc.Driver' },
};

/** The options a datasource supplies to a block, in SeaTunnel's names. Options the block sets itself win. */
export function datasourceOptions(type: string, options: ConnectionOptions): ConfigObject {
  const jdbc = JDBC[type];
  if (jdbc) {
    const database = options.database ? `/${String(options.database)}` : '';
    const supplied: ConfigObject = {
      url: `jdbc:${jdbc.scheme}://${String(options.host)}:${String(options.port)}${database}`,
      driver: jdbc.driver,
      user: String(options.user ?? ''),
    };
    if (options.password !== undefined) supplied.password = String(options.password);
    return supplied;
  }
  if (type === 'LOCAL_FILE') return { path: String(options.path) };
  return {};
}

/**
 * The config with every `datasource = "<name or id>"` replaced by that datasource's connection
 * options (secrets decrypted). Only for the process that runs the job: never store or return it.
 */
export async function resolveDatasources(
  config: JobConfig,
  datasources: Datasource[],
  connectionOptionsOf: (datasource: Datasource) => Promise<ConnectionOptions>,
): Promise<JobConfig> {
  const resolve = async (block: PluginBlock): Promise<PluginBlock> => {
    const ref = block.options.datasource;
    if (typeof ref !== 'string') return block;
    const datasource = datasources.find((d) => d.id === ref || d.name.toLowerCase() === ref.toLowerCase());
    if (!datasource) throw new Error(`datasource "${ref}" of ${block.plugin} no longer exists`);
    const { datasource: _reference, ...own } = block.options;
    return {
      ...block,
      options: { ...datasourceOptions(datasource.type, await connectionOptionsOf(datasource)), ...own },
    };
  };
  return {
    ...config,
    source: await Promise.all(config.source.map(resolve)),
    transform: config.transform,
    sink: await Promise.all(config.sink.map(resolve)),
  };
}
