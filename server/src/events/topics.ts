/** Event-bus topics. Payloads are small (ids); subscribers load the current row. */
export const Topic = {
  SERVER_INSTANCE_CHANGED: 'SERVER_INSTANCE_CHANGED',
} as const;

export interface ServerInstanceChangedEvent {
  id: string;
}
