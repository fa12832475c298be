export { Datasource } from './datasource.entity.js';
export { CatalogSchemaResolver, DatasourceCatalogResolver, DatasourceResolver } from './datasource.resolver.js';
export {
  DatasourceService,
  DATASOURCE_SEALED_SECRETS,
  type DatasourceReference,
  type DatasourceUsage,
} from './datasource.service.js';
export { DatasourceRegistry } from './datasource-types.js';
export type { ConnectionOptions, DatasourceDriver, DriverContext } from './drivers/driver.js';
export { DRIVERS } from './drivers/index.js';
export { classifyConnectionError, type ConnectionTarget } from './drivers/classify.js';
export { openMysqlConnection } from './drivers/mysql.driver.js';
export { openPostgresConnection } from './drivers/postgres.driver.js';
