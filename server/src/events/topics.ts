/** Event-bus topics. Payloads are small (ids); subscribers load the current row. */
export const Topic = {
  SERVER_INSTANCE_CHANGED: 'SERVER_INSTANCE_CHANGED',
  RUN_UPDATED: 'RUN_UPDATED',
  RUN_LOG_APPENDED: 'RUN_LOG_APPENDED',
  RUN_METRICS_SAMPLED: 'RUN_METRICS_SAMPLED',
  RUN_CANCEL_REQUESTED: 'RUN_CANCEL_REQUESTED',
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
