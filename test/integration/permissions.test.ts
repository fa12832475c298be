import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_UNAUTHORIZED } from '../../server/src/app.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { connectSocket, gql, gqlData, login } from '../support/graphql.js';
import { waitFor } from '../support/wait.js';

/**
 * The permission matrix: every operation of the API, for every kind of caller, with the outcome
 * the rules say it must have. It is generated from the one table below, and the first test fails
 * when the schema has an operation the table lacks, so a new resolver cannot ship unlisted.
 */

const PASSWORD = 'a-password-for-tests';
const ROLES = ['ADMIN', 'DEVELOPER', 'OPERATOR', 'VIEWER'] as const;
type RoleName = (typeof ROLES)[number];
type Caller = 'anonymous' | 'expired' | 'revoked' | 'superuser' | RoleName | 'outsider' | 'apiViewer';
const CALLERS: Caller[] = ['anonymous', 'expired', 'revoked', 'superuser', ...ROLES, 'outsider', 'apiViewer'];
type Outcome = 'OK' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT';

/** Who may: anyone, any signed-in caller, superusers, or at least a role in workspace A. */
type Rule = 'PUBLIC' | 'SIGNED_IN' | 'SUPERUSER' | RoleName;

interface World {
  t: TestApp;
  wsA: string;
  wsB: string;
  users: Record<'superuser' | RoleName | 'outsider', { id: string; email: string }>;
  tokens: Record<Caller, string | undefined>;
  /** A datasource of workspace A that the read and test rows use. */
  datasourceId: string;
  /** Creates a datasource in workspace A (for rows that consume one). */
  newDatasource(): Promise<string>;
  /** A task of workspace A (read, update and rollback rows use it). */
  taskId: string;
  /** Creates a task in workspace A (for rows that consume one). */
  newTask(): Promise<string>;
  /** A schedule of workspace A's task (read and update rows use it); never due during the tests. */
  scheduleId: string;
  /** Creates a schedule in workspace A (for rows that consume one). */
  newSchedule(): Promise<string>;
  /** An alarm channel of workspace A (read, update and test rows use it). */
  alarmChannelId: string;
  /** Creates an alarm channel in workspace A (for rows that consume one). */
  newAlarmChannel(): Promise<string>;
  /** An alarm rule of workspace A (read and update rows use it). */
  alarmRuleId: string;
  /** Creates an alarm rule in workspace A (for rows that consume one). */
  newAlarmRule(): Promise<string>;
  /** A FIRING alarm of that rule (read and acknowledge rows use it). */
  alarmId: string;
  /** Creates a silence in workspace A (for rows that expire one). */
  newAlarmSilence(): Promise<string>;
  /** A maintenance window of workspace A (read and update rows use it). */
  maintenanceWindowId: string;
  /** Creates a maintenance window in workspace A (for rows that consume one). */
  newMaintenanceWindow(): Promise<string>;
  /** Starts a backfill of three occurrences of that schedule, and pauses it (so it never finishes meanwhile). */
  newBackfill(): Promise<string>;
  /** Starts a run of a task of workspace A (slow: still active for a while, when asked). */
  newRun(slow?: boolean): Promise<string>;
  /** Runs as the bootstrap superuser. */
  admin<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

interface Prepared {
  variables?: Record<string, unknown>;
  token?: string;
}

interface Operation {
  kind: 'query' | 'mutation' | 'subscription';
  field: string;
  /** A label when one field appears twice (e.g. on oneself and on someone else). */
  label?: string;
  rule: Rule;
  document: string;
  /** Variables for one call; may create what the call consumes. May hand back the token to use. */
  prepare?: (w: World, caller: Caller) => Prepared | Promise<Prepared>;
  /** Outcomes that differ from what the rule alone implies. */
  except?: Partial<Record<Caller, Outcome>>;
}

const TASK_CONFIG =
  'source { FakeSource { plugin_output = "f", schema = { fields { id = int } } } }\nsink { Console { plugin_input = "f" } }';

/** Runs for minutes (5 rows a second): a run of it is still active when a test cancels it. */
const SLOW_TASK_CONFIG =
  'env { read_limit.rows_per_second = 5 }\nsource { FakeSource { plugin_output = "f", row.num = 100000, schema = { fields { id = int } } } }\nsink { Console { plugin_input = "f" } }';

/** An e-mail channel without secrets (the matrix runs without a secret key) whose tests fail fast: nothing listens on port 1. */
const ALARM_EMAIL_CONFIG = {
  host: '127.0.0.1',
  port: 1,
  from: 'sluice@example.com',
  to: ['ops@example.com'],
  timeoutMs: 1000,
};

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

const OPERATIONS: Operation[] = [
  {
    kind: 'query',
    field: 'serverInfo',
    rule: 'PUBLIC',
    document: '{ serverInfo { version instanceId firstLoginHint { adminEmail } } }',
  },
  { kind: 'query', field: 'serverInstances', rule: 'SIGNED_IN', document: '{ serverInstances { id status } }' },
  { kind: 'query', field: 'me', rule: 'SIGNED_IN', document: '{ me { id email memberships { role } } }' },
  { kind: 'query', field: 'workspaces', rule: 'SIGNED_IN', document: '{ workspaces { id name myRole } }' },
  {
    kind: 'query',
    field: 'workspace',
    rule: 'VIEWER',
    document: 'query($id: ID!) { workspace(id: $id) { id members { role user { email } } } }',
    prepare: (w) => ({ variables: { id: w.wsA } }),
    except: { outsider: 'NOT_FOUND' },
  },
  { kind: 'query', field: 'users', rule: 'SUPERUSER', document: '{ users { total items { email } } }' },
  {
    kind: 'query',
    field: 'apiTokens',
    rule: 'ADMIN',
    document: 'query($w: ID!) { apiTokens(workspaceId: $w) { id name status } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'query',
    field: 'auditEvents',
    rule: 'ADMIN',
    document: 'query($w: ID!) { auditEvents(filter: { workspaceId: $w }) { total } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'mutation',
    field: 'login',
    rule: 'PUBLIC',
    document: 'mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { token } }',
    prepare: (w) => ({ variables: { e: w.users.VIEWER.email, p: PASSWORD } }),
  },
  {
    kind: 'mutation',
    field: 'logout',
    rule: 'SIGNED_IN',
    document: 'mutation { logout }',
    // A session of its own, so that ending it leaves the caller's main session alone.
    prepare: async (w, caller) => {
      const user = (w.users as Record<string, { email: string } | undefined>)[caller];
      return user ? { token: await login(w.t.url, user.email, PASSWORD) } : {};
    },
    except: { apiViewer: 'BAD_USER_INPUT' },
  },
  {
    kind: 'mutation',
    field: 'changePassword',
    rule: 'SIGNED_IN',
    document: `mutation($p: String!) { changePassword(input: { currentPassword: $p, newPassword: $p }) }`,
    prepare: () => ({ variables: { p: PASSWORD } }),
    except: { apiViewer: 'FORBIDDEN' },
  },
  {
    kind: 'mutation',
    field: 'createWorkspace',
    rule: 'SUPERUSER',
    document: 'mutation($n: String!) { createWorkspace(input: { name: $n }) { id } }',
    prepare: () => ({ variables: { n: unique('ws') } }),
  },
  {
    kind: 'mutation',
    field: 'updateWorkspace',
    rule: 'ADMIN',
    document: 'mutation($w: ID!) { updateWorkspace(input: { workspaceId: $w, description: "checked" }) { id } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'mutation',
    field: 'deleteWorkspace',
    rule: 'SUPERUSER',
    document: 'mutation($id: ID!) { deleteWorkspace(id: $id) }',
    prepare: async (w) => {
      const { createWorkspace } = await w.admin<{ createWorkspace: { id: string } }>(
        'mutation($n: String!) { createWorkspace(input: { name: $n }) { id } }',
        { n: unique('doomed') },
      );
      return { variables: { id: createWorkspace.id } };
    },
  },
  {
    kind: 'mutation',
    field: 'addMember',
    rule: 'ADMIN',
    document: `mutation($w: ID!, $e: String!) {
      addMember(input: { workspaceId: $w, email: $e, role: VIEWER }) { membership { id } initialPassword } }`,
    prepare: (w) => ({ variables: { w: w.wsA, e: `${unique('new')}@sluice.test` } }),
  },
  {
    kind: 'mutation',
    field: 'updateMember',
    rule: 'ADMIN',
    document:
      'mutation($w: ID!, $u: ID!) { updateMember(input: { workspaceId: $w, userId: $u, role: VIEWER }) { role } }',
    prepare: (w) => ({ variables: { w: w.wsA, u: w.users.VIEWER.id } }),
  },
  {
    kind: 'mutation',
    field: 'removeMember',
    rule: 'ADMIN',
    document: 'mutation($w: ID!, $u: ID!) { removeMember(input: { workspaceId: $w, userId: $u }) }',
    prepare: async (w) => {
      const { addMember } = await w.admin<{ addMember: { membership: { user: { id: string } } } }>(
        'mutation($w: ID!, $e: String!) { addMember(input: { workspaceId: $w, email: $e, role: VIEWER }) { membership { user { id } } } }',
        { w: w.wsA, e: `${unique('leaver')}@sluice.test` },
      );
      return { variables: { w: w.wsA, u: addMember.membership.user.id } };
    },
  },
  {
    kind: 'mutation',
    field: 'createUser',
    rule: 'SUPERUSER',
    document: `mutation($e: String!, $p: String!) {
      createUser(input: { email: $e, displayName: "New", password: $p }) { id } }`,
    prepare: () => ({ variables: { e: `${unique('user')}@sluice.test`, p: PASSWORD } }),
  },
  {
    kind: 'mutation',
    field: 'updateUser',
    label: 'updateUser (own display name)',
    rule: 'SIGNED_IN',
    document: 'mutation($u: ID!) { updateUser(input: { userId: $u, displayName: "Renamed" }) { id } }',
    prepare: (w, caller) => ({
      variables: { u: ((w.users as Record<string, { id: string } | undefined>)[caller] ?? w.users.VIEWER).id },
    }),
    except: { apiViewer: 'FORBIDDEN' },
  },
  {
    kind: 'mutation',
    field: 'updateUser',
    label: "updateUser (someone else's account)",
    rule: 'SUPERUSER',
    document: 'mutation($u: ID!) { updateUser(input: { userId: $u, displayName: "Renamed by another" }) { id } }',
    prepare: (w, caller) => ({
      variables: { u: (caller === 'OPERATOR' ? w.users.VIEWER : w.users.OPERATOR).id },
    }),
  },
  {
    kind: 'mutation',
    field: 'resetUserPassword',
    rule: 'SUPERUSER',
    document: 'mutation($u: ID!, $p: String!) { resetUserPassword(input: { userId: $u, newPassword: $p }) }',
    prepare: async (w) => {
      const { createUser } = await w.admin<{ createUser: { id: string } }>(
        'mutation($e: String!, $p: String!) { createUser(input: { email: $e, displayName: "R", password: $p }) { id } }',
        { e: `${unique('reset')}@sluice.test`, p: PASSWORD },
      );
      return { variables: { u: createUser.id, p: PASSWORD } };
    },
  },
  {
    kind: 'mutation',
    field: 'createApiToken',
    rule: 'ADMIN',
    document: `mutation($w: ID!) { createApiToken(input: { name: "ci", workspaceId: $w, role: VIEWER }) { token } }`,
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'mutation',
    field: 'revokeApiToken',
    rule: 'ADMIN',
    document: 'mutation($id: ID!) { revokeApiToken(id: $id) { status } }',
    prepare: async (w) => {
      const { createApiToken } = await w.admin<{ createApiToken: { apiToken: { id: string } } }>(
        'mutation($w: ID!) { createApiToken(input: { name: "victim", workspaceId: $w, role: VIEWER }) { apiToken { id } } }',
        { w: w.wsA },
      );
      return { variables: { id: createApiToken.apiToken.id } };
    },
    except: { outsider: 'NOT_FOUND' },
  },
  { kind: 'query', field: 'datasourceTypes', rule: 'SIGNED_IN', document: '{ datasourceTypes { name } }' },
  {
    kind: 'query',
    field: 'datasources',
    rule: 'VIEWER',
    document: 'query($w: ID!) { datasources(workspaceId: $w) { total items { name } } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'query',
    field: 'datasource',
    rule: 'VIEWER',
    document: 'query($id: ID!) { datasource(id: $id) { name secrets { name } } }',
    prepare: (w) => ({ variables: { id: w.datasourceId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'createDatasource',
    rule: 'DEVELOPER',
    document: `mutation($w: ID!, $n: String!) {
      createDatasource(input: { workspaceId: $w, name: $n, type: "LOCAL_FILE", options: { path: "/tmp" } }) { id } }`,
    prepare: (w) => ({ variables: { w: w.wsA, n: unique('files') } }),
  },
  {
    kind: 'mutation',
    field: 'updateDatasource',
    rule: 'DEVELOPER',
    document: 'mutation($id: ID!) { updateDatasource(input: { id: $id, description: "checked" }) { id } }',
    prepare: (w) => ({ variables: { id: w.datasourceId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'deleteDatasource',
    rule: 'DEVELOPER',
    document: 'mutation($id: ID!) { deleteDatasource(id: $id) }',
    prepare: async (w) => ({ variables: { id: await w.newDatasource() } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'testDatasource',
    rule: 'OPERATOR',
    document: 'mutation($id: ID!) { testDatasource(id: $id) { ok error { code } } }',
    prepare: (w) => ({ variables: { id: w.datasourceId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'testDatasourceInput',
    rule: 'DEVELOPER',
    document: `mutation($w: ID!) { testDatasourceInput(input: { workspaceId: $w, type: "LOCAL_FILE", options: { path: "/tmp" } }) { ok } }`,
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  { kind: 'query', field: 'alarmChannelTypes', rule: 'SIGNED_IN', document: '{ alarmChannelTypes { type } }' },
  {
    kind: 'query',
    field: 'alarmChannels',
    rule: 'VIEWER',
    document: 'query($w: ID!) { alarmChannels(workspaceId: $w) { name secretNames } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'query',
    field: 'alarmChannel',
    rule: 'VIEWER',
    document: 'query($id: ID!) { alarmChannel(id: $id) { name settings secretNames } }',
    prepare: (w) => ({ variables: { id: w.alarmChannelId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'createAlarmChannel',
    rule: 'DEVELOPER',
    document: `mutation($w: ID!, $n: String!, $c: JSONObject!) {
      createAlarmChannel(input: { workspaceId: $w, name: $n, type: EMAIL, config: $c }) { id } }`,
    prepare: (w) => ({ variables: { w: w.wsA, n: unique('mail'), c: ALARM_EMAIL_CONFIG } }),
  },
  {
    kind: 'mutation',
    field: 'updateAlarmChannel',
    rule: 'DEVELOPER',
    document: 'mutation($id: ID!) { updateAlarmChannel(input: { id: $id, description: "checked" }) { id } }',
    prepare: (w) => ({ variables: { id: w.alarmChannelId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'deleteAlarmChannel',
    rule: 'DEVELOPER',
    document: 'mutation($id: ID!) { deleteAlarmChannel(id: $id) }',
    prepare: async (w) => ({ variables: { id: await w.newAlarmChannel() } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'testAlarmChannel',
    rule: 'OPERATOR',
    document: 'mutation($id: ID!) { testAlarmChannel(id: $id) { ok retryable } }',
    prepare: (w) => ({ variables: { id: w.alarmChannelId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'testAlarmChannelConfig',
    rule: 'DEVELOPER',
    document: `mutation($w: ID!, $c: JSONObject!) {
      testAlarmChannelConfig(input: { workspaceId: $w, type: EMAIL, config: $c }) { ok } }`,
    prepare: (w) => ({ variables: { w: w.wsA, c: ALARM_EMAIL_CONFIG } }),
  },
  {
    kind: 'query',
    field: 'alarmRules',
    rule: 'VIEWER',
    document: 'query($w: ID!) { alarmRules(workspaceId: $w) { name channelIds } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'query',
    field: 'alarmRule',
    rule: 'VIEWER',
    document: 'query($id: ID!) { alarmRule(id: $id) { name condition } }',
    prepare: (w) => ({ variables: { id: w.alarmRuleId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'createAlarmRule',
    rule: 'DEVELOPER',
    document: `mutation($w: ID!, $n: String!) {
      createAlarmRule(input: { workspaceId: $w, name: $n, severity: WARNING, condition: RUN_FAILED }) { id } }`,
    prepare: (w) => ({ variables: { w: w.wsA, n: unique('rule') } }),
  },
  {
    kind: 'mutation',
    field: 'updateAlarmRule',
    rule: 'DEVELOPER',
    document: 'mutation($id: ID!) { updateAlarmRule(input: { id: $id, repeatIntervalSeconds: 600 }) { id } }',
    prepare: (w) => ({ variables: { id: w.alarmRuleId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'deleteAlarmRule',
    rule: 'DEVELOPER',
    document: 'mutation($id: ID!) { deleteAlarmRule(id: $id) }',
    prepare: async (w) => ({ variables: { id: await w.newAlarmRule() } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'query',
    field: 'alarms',
    rule: 'VIEWER',
    document: 'query($w: ID!) { alarms(workspaceId: $w, status: FIRING) { total items { id count } } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'query',
    field: 'alarm',
    rule: 'VIEWER',
    document: 'query($id: ID!) { alarm(id: $id) { status notifications { status } } }',
    prepare: (w) => ({ variables: { id: w.alarmId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'acknowledgeAlarm',
    rule: 'OPERATOR',
    document: 'mutation($id: ID!) { acknowledgeAlarm(id: $id, comment: "seen") { acknowledgedAt } }',
    prepare: (w) => ({ variables: { id: w.alarmId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'query',
    field: 'alarmSilences',
    rule: 'VIEWER',
    document: 'query($w: ID!) { alarmSilences(workspaceId: $w, active: true) { id active comment } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'mutation',
    field: 'createAlarmSilence',
    rule: 'OPERATOR',
    document: `mutation($w: ID!, $e: DateTimeISO!) {
      createAlarmSilence(input: { workspaceId: $w, severities: [WARNING], endsAt: $e, comment: "deploy" }) { id } }`,
    prepare: (w) => ({ variables: { w: w.wsA, e: new Date(Date.now() + 3_600_000).toISOString() } }),
  },
  {
    kind: 'mutation',
    field: 'createAlarmSilenceFromAlarm',
    rule: 'OPERATOR',
    document: `mutation($id: ID!) {
      createAlarmSilenceFromAlarm(alarmId: $id, durationMinutes: 30, comment: "on it") { id ruleIds taskIds } }`,
    prepare: (w) => ({ variables: { id: w.alarmId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'expireAlarmSilence',
    rule: 'OPERATOR',
    document: 'mutation($id: ID!) { expireAlarmSilence(id: $id) { id active } }',
    prepare: async (w) => ({ variables: { id: await w.newAlarmSilence() } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'query',
    field: 'alarmMaintenanceWindows',
    rule: 'VIEWER',
    document: 'query($w: ID!) { alarmMaintenanceWindows(workspaceId: $w) { name activeNow } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'query',
    field: 'alarmMaintenanceWindow',
    rule: 'VIEWER',
    document: 'query($id: ID!) { alarmMaintenanceWindow(id: $id) { name cron activeNow } }',
    prepare: (w) => ({ variables: { id: w.maintenanceWindowId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'createAlarmMaintenanceWindow',
    rule: 'OPERATOR',
    document: `mutation($w: ID!, $n: String!) { createAlarmMaintenanceWindow(input: {
      workspaceId: $w, name: $n, cron: "0 3 * * 0", timezone: "UTC", durationMinutes: 60, severities: [WARNING] }) { id } }`,
    prepare: (w) => ({ variables: { w: w.wsA, n: unique('window') } }),
  },
  {
    kind: 'mutation',
    field: 'updateAlarmMaintenanceWindow',
    rule: 'OPERATOR',
    document: 'mutation($id: ID!) { updateAlarmMaintenanceWindow(input: { id: $id, durationMinutes: 90 }) { id } }',
    prepare: (w) => ({ variables: { id: w.maintenanceWindowId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'deleteAlarmMaintenanceWindow',
    rule: 'OPERATOR',
    document: 'mutation($id: ID!) { deleteAlarmMaintenanceWindow(id: $id) }',
    prepare: async (w) => ({ variables: { id: await w.newMaintenanceWindow() } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'query',
    field: 'tasks',
    rule: 'VIEWER',
    document: 'query($w: ID!) { tasks(workspaceId: $w) { total } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  ...(['task', 'taskVersions', 'exportTask'] as const).map((field): Operation => ({
    kind: 'query',
    field,
    rule: 'VIEWER',
    document: {
      task: 'query($id: ID!) { task(id: $id) { name version } }',
      taskVersions: 'query($id: ID!) { taskVersions(taskId: $id) { number } }',
      exportTask: 'query($id: ID!) { exportTask(id: $id) }',
    }[field],
    prepare: (w) => ({ variables: { id: w.taskId } }),
    except: { outsider: 'NOT_FOUND' },
  })),
  {
    kind: 'query',
    field: 'taskVersionDiff',
    rule: 'VIEWER',
    document: 'query($id: ID!) { taskVersionDiff(taskId: $id, from: 1, to: 1) { unified } }',
    prepare: (w) => ({ variables: { id: w.taskId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'query',
    field: 'validateTaskConfig',
    rule: 'VIEWER',
    document: 'query($w: ID!, $c: String!) { validateTaskConfig(workspaceId: $w, content: $c) { valid } }',
    prepare: (w) => ({ variables: { w: w.wsA, c: TASK_CONFIG } }),
  },
  {
    kind: 'query',
    field: 'connectorPlugins',
    rule: 'SIGNED_IN',
    document: '{ connectorPlugins(kind: SOURCE, engine: EMBEDDED) { name options { name common } } }',
  },
  {
    kind: 'mutation',
    field: 'createTask',
    rule: 'DEVELOPER',
    document:
      'mutation($w: ID!, $n: String!, $c: String!) { createTask(input: { workspaceId: $w, name: $n, content: $c }) { id } }',
    prepare: (w) => ({ variables: { w: w.wsA, n: unique('task'), c: TASK_CONFIG } }),
  },
  {
    kind: 'mutation',
    field: 'updateTask',
    rule: 'DEVELOPER',
    document: 'mutation($id: ID!) { updateTask(input: { id: $id, description: "checked" }) { id } }',
    prepare: (w) => ({ variables: { id: w.taskId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'rollbackTask',
    rule: 'DEVELOPER',
    document: 'mutation($id: ID!) { rollbackTask(input: { taskId: $id, version: 1 }) { version } }',
    prepare: (w) => ({ variables: { id: w.taskId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'deleteTask',
    rule: 'DEVELOPER',
    document: 'mutation($id: ID!) { deleteTask(id: $id) }',
    prepare: async (w) => ({ variables: { id: await w.newTask() } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'importTasks',
    rule: 'DEVELOPER',
    document:
      'mutation($w: ID!, $f: [ImportFileInput!]!) { importTasks(input: { workspaceId: $w, files: $f }) { results { status } } }',
    prepare: (w) => ({ variables: { w: w.wsA, f: [{ name: `${unique('imported')}.conf`, content: TASK_CONFIG }] } }),
  },
  {
    kind: 'query',
    field: 'runs',
    rule: 'VIEWER',
    document: 'query($w: ID!) { runs(filter: { workspaceId: $w }) { total } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'query',
    field: 'run',
    rule: 'VIEWER',
    document: 'query($id: ID!) { run(id: $id) { id status logs { seq } logTail { seq } metrics { summary } } }',
    prepare: async (w) => ({ variables: { id: await w.newRun() } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'startRun',
    rule: 'OPERATOR',
    document: 'mutation($t: ID!) { startRun(input: { taskId: $t }) { id } }',
    prepare: (w) => ({ variables: { t: w.taskId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'cancelRun',
    rule: 'OPERATOR',
    document: 'mutation($id: ID!) { cancelRun(id: $id) { id status } }',
    prepare: async (w) => ({ variables: { id: await w.newRun(true) } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'rerunRun',
    rule: 'OPERATOR',
    document: 'mutation($id: ID!) { rerunRun(id: $id) { id } }',
    prepare: async (w) => ({ variables: { id: await w.newRun() } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'query',
    field: 'schedules',
    rule: 'VIEWER',
    document: 'query($w: ID!) { schedules(workspaceId: $w) { id nextFireTimes(count: 2) } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  {
    kind: 'query',
    field: 'schedule',
    rule: 'VIEWER',
    document: 'query($id: ID!) { schedule(id: $id) { id cron nextFireTimes } }',
    prepare: (w) => ({ variables: { id: w.scheduleId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'query',
    field: 'nextFireTimes',
    rule: 'SIGNED_IN',
    document: '{ nextFireTimes(cron: "0 9 * * 1-5", timezone: "Europe/Berlin", count: 3) }',
  },
  {
    kind: 'mutation',
    field: 'createSchedule',
    rule: 'DEVELOPER',
    document:
      'mutation($t: ID!) { createSchedule(input: { taskId: $t, cron: "0 0 1 1 *", timezone: "UTC", enabled: false }) { id } }',
    prepare: (w) => ({ variables: { t: w.taskId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'updateSchedule',
    rule: 'DEVELOPER',
    document: 'mutation($id: ID!) { updateSchedule(input: { id: $id, name: "checked" }) { id } }',
    prepare: (w) => ({ variables: { id: w.scheduleId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'mutation',
    field: 'deleteSchedule',
    rule: 'DEVELOPER',
    document: 'mutation($id: ID!) { deleteSchedule(id: $id) }',
    prepare: async (w) => ({ variables: { id: await w.newSchedule() } }),
    except: { outsider: 'NOT_FOUND' },
  },
  ...(['pauseSchedule', 'resumeSchedule'] as const).map((field): Operation => ({
    kind: 'mutation',
    field,
    rule: 'OPERATOR',
    document: `mutation($id: ID!) { ${field}(id: $id) { id enabled } }`,
    prepare: async (w) => ({ variables: { id: await w.newSchedule() } }),
    except: { outsider: 'NOT_FOUND' },
  })),
  ...(['pauseWorkspaceSchedules', 'resumeWorkspaceSchedules'] as const).map((field): Operation => ({
    kind: 'mutation',
    field,
    rule: 'OPERATOR',
    document: `mutation($w: ID!) { ${field}(workspaceId: $w) { id } }`,
    prepare: (w) => ({ variables: { w: w.wsA } }),
  })),
  {
    kind: 'mutation',
    field: 'startBackfill',
    rule: 'OPERATOR',
    document: `mutation($t: ID!, $s: ID!) {
      startBackfill(input: { taskId: $t, scheduleId: $s, from: "2024-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }) { id }
    }`,
    prepare: (w) => ({ variables: { t: w.taskId, s: w.scheduleId } }),
    except: { outsider: 'NOT_FOUND' },
  },
  ...(['pauseBackfill', 'resumeBackfill', 'cancelBackfill'] as const).map((field): Operation => ({
    kind: 'mutation',
    field,
    rule: 'OPERATOR',
    document: `mutation($id: ID!) { ${field}(id: $id) { id status } }`,
    prepare: async (w) => ({ variables: { id: await w.newBackfill() } }),
    except: { outsider: 'NOT_FOUND' },
  })),
  {
    kind: 'query',
    field: 'backfill',
    rule: 'VIEWER',
    document: 'query($id: ID!) { backfill(id: $id) { id status progress { total } } }',
    prepare: async (w) => ({ variables: { id: await w.newBackfill() } }),
    except: { outsider: 'NOT_FOUND' },
  },
  {
    kind: 'query',
    field: 'backfills',
    rule: 'VIEWER',
    document: 'query($w: ID!) { backfills(workspaceId: $w) { total } }',
    prepare: (w) => ({ variables: { w: w.wsA } }),
  },
  { kind: 'subscription', field: 'serverInstanceChanged', rule: 'SIGNED_IN', document: '' },
  { kind: 'subscription', field: 'backfillUpdated', rule: 'VIEWER', document: '' },
  { kind: 'subscription', field: 'runUpdated', rule: 'SIGNED_IN', document: '' },
  { kind: 'subscription', field: 'runLogAppended', rule: 'VIEWER', document: '' },
  { kind: 'subscription', field: 'runMetricsSampled', rule: 'VIEWER', document: '' },
  { kind: 'subscription', field: 'alarmRaised', rule: 'VIEWER', document: '' },
  { kind: 'subscription', field: 'alarmUpdated', rule: 'VIEWER', document: '' },
];

const RANK: Record<RoleName, number> = { VIEWER: 0, OPERATOR: 1, DEVELOPER: 2, ADMIN: 3 };

function expected(op: Operation, caller: Caller): Outcome {
  const override = op.except?.[caller];
  if (override) return override;
  if (op.rule === 'PUBLIC') return 'OK';
  if (caller === 'anonymous' || caller === 'expired' || caller === 'revoked') return 'UNAUTHENTICATED';
  if (op.rule === 'SIGNED_IN' || caller === 'superuser') return 'OK';
  if (op.rule === 'SUPERUSER') return 'FORBIDDEN';
  if (caller === 'outsider') return 'FORBIDDEN';
  const callerRole: RoleName = caller === 'apiViewer' ? 'VIEWER' : caller;
  return RANK[callerRole] >= RANK[op.rule] ? 'OK' : 'FORBIDDEN';
}

describe('the permission matrix', () => {
  let db: TestDatabase;
  const w = {} as World;

  beforeAll(async () => {
    db = await createTestDatabase();
    w.t = await startTestApp({ databaseUrl: db.url });
    w.admin = (query, variables) => gqlData(w.t.url, query, variables, w.t.token);
    const [{ workspaces }] = [await w.admin<{ workspaces: { id: string }[] }>('{ workspaces { id } }')];
    w.wsA = workspaces[0]!.id;
    w.wsB = (
      await w.admin<{ createWorkspace: { id: string } }>('mutation { createWorkspace(input: { name: "B" }) { id } }')
    ).createWorkspace.id;

    const make = async (name: string, superuser = false) => {
      const { createUser } = await w.admin<{ createUser: { id: string; email: string } }>(
        'mutation($i: CreateUserInput!) { createUser(input: $i) { id email } }',
        { i: { email: `${name}@sluice.test`, displayName: name, password: PASSWORD, superuser } },
      );
      return createUser;
    };
    const join = (workspaceId: string, email: string, role: string) =>
      w.admin('mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }', {
        i: { workspaceId, email, role },
      });

    w.users = { superuser: await make('root', true) } as World['users'];
    for (const role of ROLES) {
      w.users[role] = await make(`member-${role.toLowerCase()}`);
      await join(w.wsA, w.users[role].email, role);
    }
    w.users.outsider = await make('outsider');
    await join(w.wsB, w.users.outsider.email, 'ADMIN');

    const tokens = {} as Record<Caller, string | undefined>;
    tokens.anonymous = undefined;
    for (const who of ['superuser', ...ROLES, 'outsider'] as const)
      tokens[who] = await login(w.t.url, w.users[who].email, PASSWORD);
    tokens.expired = await login(w.t.url, w.users.ADMIN.email, PASSWORD);
    await db.query(`UPDATE access_token SET expires_at = now() - interval '1 second' WHERE prefix = $1`, [
      tokens.expired.slice(0, 12),
    ]);
    tokens.revoked = await login(w.t.url, w.users.ADMIN.email, PASSWORD);
    await gqlData(w.t.url, 'mutation { logout }', undefined, tokens.revoked);
    tokens.apiViewer = (
      await w.admin<{ createApiToken: { token: string } }>(
        'mutation($w: ID!) { createApiToken(input: { name: "reader", workspaceId: $w, role: VIEWER }) { token } }',
        { w: w.wsA },
      )
    ).createApiToken.token;
    w.tokens = tokens;
    w.newDatasource = async () =>
      (
        await w.admin<{ createDatasource: { id: string } }>(
          'mutation($w: ID!, $n: String!) { createDatasource(input: { workspaceId: $w, name: $n, type: "LOCAL_FILE", options: { path: "/tmp" } }) { id } }',
          { w: w.wsA, n: unique('ds') },
        )
      ).createDatasource.id;
    w.datasourceId = await w.newDatasource();
    w.newAlarmChannel = async () =>
      (
        await w.admin<{ createAlarmChannel: { id: string } }>(
          'mutation($w: ID!, $n: String!, $c: JSONObject!) { createAlarmChannel(input: { workspaceId: $w, name: $n, type: EMAIL, config: $c }) { id } }',
          { w: w.wsA, n: unique('channel'), c: ALARM_EMAIL_CONFIG },
        )
      ).createAlarmChannel.id;
    w.alarmChannelId = await w.newAlarmChannel();
    w.newAlarmRule = async () =>
      (
        await w.admin<{ createAlarmRule: { id: string } }>(
          'mutation($w: ID!, $n: String!, $c: ID!) { createAlarmRule(input: { workspaceId: $w, name: $n, severity: INFO, condition: RUN_FAILED, channelIds: [$c] }) { id } }',
          { w: w.wsA, n: unique('rule'), c: w.alarmChannelId },
        )
      ).createAlarmRule.id;
    w.alarmRuleId = await w.newAlarmRule();
    w.newTask = async () =>
      (
        await w.admin<{ createTask: { id: string } }>(
          'mutation($w: ID!, $n: String!, $c: String!) { createTask(input: { workspaceId: $w, name: $n, content: $c }) { id } }',
          { w: w.wsA, n: unique('t'), c: TASK_CONFIG },
        )
      ).createTask.id;
    w.taskId = await w.newTask();
    w.alarmId = '6a1a3e2c-0000-4000-8000-00000000a1a1';
    await db.query(
      `INSERT INTO alarm (id, rule_id, workspace_id, task_id, fingerprint, status, severity, title, summary,
                          first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, 'FIRING', 'INFO', 'Task failed', 'A run failed.', now(), now())`,
      [w.alarmId, w.alarmRuleId, w.wsA, w.taskId, `${w.alarmRuleId}:${w.taskId}`],
    );
    w.newAlarmSilence = async () =>
      (
        await w.admin<{ createAlarmSilence: { id: string } }>(
          'mutation($w: ID!, $e: DateTimeISO!) { createAlarmSilence(input: { workspaceId: $w, severities: [WARNING], endsAt: $e, comment: "matrix" }) { id } }',
          { w: w.wsA, e: new Date(Date.now() + 3_600_000).toISOString() },
        )
      ).createAlarmSilence.id;
    w.newMaintenanceWindow = async () =>
      (
        await w.admin<{ createAlarmMaintenanceWindow: { id: string } }>(
          'mutation($w: ID!, $n: String!) { createAlarmMaintenanceWindow(input: { workspaceId: $w, name: $n, cron: "0 3 * * 0", durationMinutes: 60, severities: [WARNING] }) { id } }',
          { w: w.wsA, n: unique('window') },
        )
      ).createAlarmMaintenanceWindow.id;
    w.maintenanceWindowId = await w.newMaintenanceWindow();
    const slowTask = (
      await w.admin<{ createTask: { id: string } }>(
        'mutation($w: ID!, $n: String!, $c: String!) { createTask(input: { workspaceId: $w, name: $n, content: $c }) { id } }',
        { w: w.wsA, n: unique('slow'), c: SLOW_TASK_CONFIG },
      )
    ).createTask.id;
    w.newSchedule = async () =>
      (
        await w.admin<{ createSchedule: { id: string } }>(
          'mutation($t: ID!) { createSchedule(input: { taskId: $t, cron: "0 0 1 1 *", timezone: "UTC" }) { id } }',
          { t: w.taskId },
        )
      ).createSchedule.id;
    w.scheduleId = await w.newSchedule();
    w.newBackfill = async () => {
      const { startBackfill } = await w.admin<{ startBackfill: { id: string } }>(
        'mutation($t: ID!, $s: ID!) { startBackfill(input: { taskId: $t, scheduleId: $s, from: "2024-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }) { id } }',
        { t: w.taskId, s: w.scheduleId },
      );
      await w.admin('mutation($id: ID!) { pauseBackfill(id: $id) { id } }', { id: startBackfill.id });
      return startBackfill.id;
    };
    w.newRun = async (slow = false) =>
      (
        await w.admin<{ startRun: { id: string } }>('mutation($t: ID!) { startRun(input: { taskId: $t }) { id } }', {
          t: slow ? slowTask : w.taskId,
        })
      ).startRun.id;
  });

  afterAll(async () => {
    await w.t?.stop();
    await db?.drop();
  });

  it('lists every operation of the schema', async () => {
    const { __schema } = await gqlData<{
      __schema: Record<'queryType' | 'mutationType' | 'subscriptionType', { fields: { name: string }[] }>;
    }>(
      w.t.url,
      '{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }',
    );
    const inSchema = [
      ...__schema.queryType.fields.map((f) => `query ${f.name}`),
      ...__schema.mutationType.fields.map((f) => `mutation ${f.name}`),
      ...__schema.subscriptionType.fields.map((f) => `subscription ${f.name}`),
    ].sort();
    const inTable = [...new Set(OPERATIONS.map((op) => `${op.kind} ${op.field}`))].sort();
    expect(inTable).toEqual(inSchema);
  });

  for (const op of OPERATIONS.filter((o) => o.kind !== 'subscription')) {
    describe(op.label ?? op.field, () => {
      for (const caller of CALLERS) {
        const outcome = expected(op, caller);
        it(`${caller}: ${outcome}`, async () => {
          const prepared = (await op.prepare?.(w, caller)) ?? {};
          const res = await gql(w.t.url, op.document, prepared.variables, prepared.token ?? w.tokens[caller]);
          const code = res.errors?.[0]?.extensions?.code;
          if (outcome === 'OK') expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
          else expect(code, JSON.stringify(res.errors)).toBe(outcome);
        });
      }
    });
  }

  describe('serverInstanceChanged (subscription)', () => {
    for (const caller of CALLERS) {
      const outcome = expected(
        OPERATIONS.find((o) => o.field === 'serverInstanceChanged')!,
        caller,
      );
      it(`${caller}: ${outcome}`, async () => {
        const token = w.tokens[caller];
        if (outcome === 'UNAUTHENTICATED') {
          await expect(connectSocket(w.t.url, token)).rejects.toThrow(
            new RegExp(`socket closed: ${CLOSE_UNAUTHORIZED}`),
          );
          return;
        }
        // The instance's own listeners (the run executor's) count too.
        const before = w.t.app.pubSub.subscriberCount;
        const socket = await connectSocket(w.t.url, token);
        try {
          const sub = socket.subscribe<{ serverInstanceChanged: { id: string } }>(
            'subscription { serverInstanceChanged { id } }',
          );
          await waitFor(() => w.t.app.pubSub.subscriberCount === before + 1, { what: 'the subscription to be live' });
          await w.t.app.pubSub.publish('SERVER_INSTANCE_CHANGED', { id: w.t.app.instanceId });
          const heard = await sub.next();
          expect(heard.serverInstanceChanged.id).toBe(w.t.app.instanceId);
        } finally {
          await socket.dispose();
          await waitFor(() => w.t.app.pubSub.subscriberCount === before);
        }
      });
    }
  });
});
