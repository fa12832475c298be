export { BackfillDriver } from './backfill-driver.js';
export { Backfill, BackfillStatus } from './backfill.entity.js';
export { BackfillResolver, backfillStreams } from './backfill.resolver.js';
export { BackfillService } from './backfill.service.js';
export { MisfirePolicy, Schedule } from './schedule.entity.js';
export { ScheduleResolver, TaskScheduleResolver } from './schedule.resolver.js';
export { ScheduleService, type ScheduleJobs } from './schedule.service.js';
export { isTimeZone, normalizeCron, occurrencesBetween, validateCron } from './cron.js';
