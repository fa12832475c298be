/**
 * The task enums, free of ORM and GraphQL imports so that `sluice run` and validation load fast
 * (task.entity.ts registers them with GraphQL).
 */
export enum TaskMode {
  BATCH = 'BATCH',
  STREAMING = 'STREAMING',
}

export enum TaskEngine {
  EMBEDDED = 'EMBEDDED',
  SEATUNNEL = 'SEATUNNEL',
}
