import {
  Alarm,
  AlarmChannel,
  AlarmMaintenanceWindow,
  AlarmNotification,
  AlarmRule,
  AlarmSilence,
} from '../modules/alarm/index.js';
import { authEntities } from '../modules/auth/index.js';
import { ServerInstance } from '../modules/cluster/index.js';
import { Datasource } from '../modules/datasource/index.js';
import { Run } from '../modules/run/run.entity.js';
import { Backfill } from '../modules/schedule/backfill.entity.js';
import { Schedule } from '../modules/schedule/schedule.entity.js';
import { Task, TaskVersion } from '../modules/task/index.js';

/** Every entity the ORM knows; a module's entities are registered here. */
export const entities = [
  ServerInstance,
  ...authEntities,
  Datasource,
  Task,
  TaskVersion,
  Run,
  Schedule,
  Backfill,
  AlarmChannel,
  AlarmRule,
  Alarm,
  AlarmNotification,
  AlarmSilence,
  AlarmMaintenanceWindow,
];
