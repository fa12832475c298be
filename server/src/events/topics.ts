/** Event-bus topics. Payloads are small (ids); subscribers load the current row. */
export const Topic = {
  SERVER_INSTANCE_CHANGED: 'SERVER_INSTANCE_CHANGED',
  RUN_UPDATED: 'RUN_UPDATED',
  RUN_LOG_APPENDED: 'RUN_LOG_APPENDED',
  RUN_METRICS_SAMPLED: 'RUN_METRICS_SAMPLED',
  RUN_CANCEL_REQUESTED: 'RUN_CANCEL_REQUESTED',
  BACKFILL_UPDATED: 'BACKFILL_UPDATED',
  ALARM_RAISED: 'ALARM_RAISED',
  ALARM_UPDATED: 'ALARM_UPDATED',
} as const;

export interface ServerInstanceChangedEvent {
  id: string;
}

/** A run changed state (or was created). */
export interface RunUpdatedEvent {
  runId: string;
  taskId: string;
  workspaceId: string;
  status: string;
  /** Set for a backfill's runs (its driver listens). */
  backfillId?: string;
}

/** Lines up to `lastSeq` of the run are stored (published per committed batch). */
export interface RunLogAppendedEvent {
  runId: string;
  lastSeq: number;
}

/** A metrics sample of the run was stored (or, between stored samples, only sent: `sample`). */
export interface RunMetricsSampledEvent {
  runId: string;
  time: string;
  sample: Record<string, unknown>;
}

export interface RunCancelRequestedEvent {
  runId: string;
  instanceId: string | null;
}

/** A backfill changed state (started, paused, resumed, cancelled, finished) or released runs. */
export interface BackfillUpdatedEvent {
  backfillId: string;
  workspaceId: string;
  taskId: string;
  status: string;
}

/** An alarm was raised (ALARM_RAISED), or repeated, acknowledged or resolved (ALARM_UPDATED). */
export interface AlarmEvent {
  alarmId: string;
  workspaceId: string;
}
