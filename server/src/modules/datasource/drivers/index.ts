import type { DatasourceDriver } from './driver.js';
import { localFileDriver } from './local-file.driver.js';
import { mysqlDriver } from './mysql.driver.js';
import { postgresDriver } from './postgres.driver.js';

/** Every datasource type, in the order forms list them. A new type is one more driver here. */
export const DRIVERS: DatasourceDriver[] = [postgresDriver, mysqlDriver, localFileDriver];
