import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000000_foundation } from './Migration20261124000000_foundation.js';
import { Migration20261124010000_auth } from './Migration20261124010000_auth.js';
import { Migration20261124020000_datasource } from './Migration20261124020000_datasource.js';
import { Migration20261124030000_task } from './Migration20261124030000_task.js';
import { Migration20261124040000_run } from './Migration20261124040000_run.js';
import { Migration20261124180000_datasource_last_test } from './Migration20261124180000_datasource_last_test.js';
import { Migration20261124190000_schedule } from './Migration20261124190000_schedule.js';
import { Migration20261124200000_backfill } from './Migration20261124200000_backfill.js';
import { Migration20261124210000_alarm_channel } from './Migration20261124210000_alarm_channel.js';
import { Migration20261124220000_alarm } from './Migration20261124220000_alarm.js';
import { Migration20261125000000_alarm_suppression } from './Migration20261125000000_alarm_suppression.js';
import { Migration20261125010000_alarm_sweep } from './Migration20261125010000_alarm_sweep.js';
import { Migration20261125020000_alarm_instance_down } from './Migration20261125020000_alarm_instance_down.js';
import { Migration20261125030000_alarm_pending } from './Migration20261125030000_alarm_pending.js';
import { Migration20261125040000_alarm_run_seen } from './Migration20261125040000_alarm_run_seen.js';

/**
 * Every migration, in order. Listed explicitly (not discovered by glob) so that the same list runs
 * from TypeScript sources, compiled output and tests alike. Names are stable: never rename one.
 */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261124000000_foundation', class: Migration20261124000000_foundation },
  { name: 'Migration20261124010000_auth', class: Migration20261124010000_auth },
  { name: 'Migration20261124020000_datasource', class: Migration20261124020000_datasource },
  { name: 'Migration20261124030000_task', class: Migration20261124030000_task },
  { name: 'Migration20261124040000_run', class: Migration20261124040000_run },
  { name: 'Migration20261124180000_datasource_last_test', class: Migration20261124180000_datasource_last_test },
  { name: 'Migration20261124190000_schedule', class: Migration20261124190000_schedule },
  { name: 'Migration20261124200000_backfill', class: Migration20261124200000_backfill },
  { name: 'Migration20261124210000_alarm_channel', class: Migration20261124210000_alarm_channel },
  { name: 'Migration20261124220000_alarm', class: Migration20261124220000_alarm },
  { name: 'Migration20261125000000_alarm_suppression', class: Migration20261125000000_alarm_suppression },
  { name: 'Migration20261125010000_alarm_sweep', class: Migration20261125010000_alarm_sweep },
  { name: 'Migration20261125020000_alarm_instance_down', class: Migration20261125020000_alarm_instance_down },
  { name: 'Migration20261125030000_alarm_pending', class: Migration20261125030000_alarm_pending },
  { name: 'Migration20261125040000_alarm_run_seen', class: Migration20261125040000_alarm_run_seen },
];
