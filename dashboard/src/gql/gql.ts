/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
  '\n  mutation Logout {\n    logout\n  }\n': typeof types.LogoutDocument;
  '\n  fragment DatasourceCatalogTable on CatalogTable {\n    name\n    kind\n    estimatedRows\n    columns {\n      name\n      type\n      nullable\n      primaryKey\n    }\n  }\n': typeof types.DatasourceCatalogTableFragmentDoc;
  '\n  fragment DatasourceCatalogFile on CatalogFile {\n    path\n    format\n    compression\n    size\n    modifiedAt\n  }\n': typeof types.DatasourceCatalogFileFragmentDoc;
  '\n  query DatasourceCatalogProbe($id: ID!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemaCount\n        schemas(limit: $limit) {\n          name\n        }\n        fileCount\n        files(limit: $limit) {\n          ...DatasourceCatalogFile\n        }\n      }\n    }\n  }\n': typeof types.DatasourceCatalogProbeDocument;
  '\n  query DatasourceCatalogSchemas($id: ID!, $search: String, $offset: Int!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemaCount(search: $search)\n        schemas(search: $search, offset: $offset, limit: $limit) {\n          name\n        }\n      }\n    }\n  }\n': typeof types.DatasourceCatalogSchemasDocument;
  '\n  query DatasourceCatalogTables(\n    $id: ID!\n    $schemaSearch: String\n    $schemaOffset: Int!\n    $search: String\n    $offset: Int!\n    $limit: Int!\n  ) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemas(search: $schemaSearch, offset: $schemaOffset, limit: 1) {\n          name\n          tableCount(search: $search)\n          tables(search: $search, offset: $offset, limit: $limit) {\n            ...DatasourceCatalogTable\n          }\n        }\n      }\n    }\n  }\n': typeof types.DatasourceCatalogTablesDocument;
  '\n  query DatasourceCatalogFiles($id: ID!, $search: String, $offset: Int!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        fileCount(search: $search)\n        files(search: $search, offset: $offset, limit: $limit) {\n          ...DatasourceCatalogFile\n        }\n      }\n    }\n  }\n': typeof types.DatasourceCatalogFilesDocument;
  '\n  fragment DatasourceOptionFields on DatasourceOption {\n    name\n    label\n    description\n    type\n    required\n    default\n    placeholder\n    enumValues\n    min\n    max\n    secret\n  }\n': typeof types.DatasourceOptionFieldsFragmentDoc;
  '\n  query RunLogOlder($id: ID!, $afterSeq: Int, $beforeSeq: Int, $search: String, $level: RunLogLevel, $limit: Int!) {\n    run(id: $id) {\n      id\n      logs(afterSeq: $afterSeq, beforeSeq: $beforeSeq, search: $search, level: $level, limit: $limit) {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n': typeof types.RunLogOlderDocument;
  '\n  query RunMetrics($id: ID!) {\n    run(id: $id) {\n      id\n      metrics {\n        summary\n        series(maxPoints: 600) {\n          time\n          sample\n        }\n      }\n    }\n  }\n': typeof types.RunMetricsDocument;
  '\n  subscription RunMetricsLive($runId: ID!) {\n    runMetricsSampled(runId: $runId) {\n      time\n      sample\n    }\n  }\n': typeof types.RunMetricsLiveDocument;
  '\n  query TaskRunParams($id: ID!) {\n    task(id: $id) {\n      id\n      name\n      version\n      hocon\n      variables {\n        name\n        default\n        secret\n        description\n      }\n    }\n  }\n': typeof types.TaskRunParamsDocument;
  '\n  mutation TaskRunStart($input: StartRunInput!) {\n    startRun(input: $input) {\n      id\n      status\n    }\n  }\n': typeof types.TaskRunStartDocument;
  '\n  query TaskRecentRuns($taskId: ID!, $limit: Int!) {\n    runs(filter: { taskId: $taskId, firstAttemptsOnly: true }, page: { limit: $limit }) {\n      total\n      items {\n        id\n        status\n        trigger\n        versionNumber\n        triggeredByLabel\n        createdAt\n        startedAt\n        finishedAt\n        error {\n          code\n          message\n        }\n      }\n    }\n  }\n': typeof types.TaskRecentRunsDocument;
  '\n  subscription TaskRecentRunsChanged($taskId: ID!) {\n    runUpdated(filter: { taskId: $taskId }) {\n      id\n      status\n    }\n  }\n': typeof types.TaskRecentRunsChangedDocument;
  '\n  query TaskVersionsList($taskId: ID!, $workspaceId: ID!) {\n    taskVersions(taskId: $taskId) {\n      id\n      number\n      message\n      authorId\n      createdAt\n      engine\n      mode\n      hocon\n    }\n    workspace(id: $workspaceId) {\n      id\n      members {\n        id\n        user {\n          id\n          displayName\n          email\n        }\n      }\n    }\n  }\n': typeof types.TaskVersionsListDocument;
  '\n  query TaskVersionsDiff($taskId: ID!, $from: Int!, $to: Int!) {\n    taskVersionDiff(taskId: $taskId, from: $from, to: $to) {\n      settingsChanged\n    }\n  }\n': typeof types.TaskVersionsDiffDocument;
  '\n  mutation TaskVersionsRollback($input: RollbackTaskInput!) {\n    rollbackTask(input: $input) {\n      id\n      version\n      hocon\n    }\n  }\n': typeof types.TaskVersionsRollbackDocument;
  '\n  query TaskEditorPlugins {\n    connectorPlugins {\n      name\n      kind\n      modes\n      embedded\n      datasourceTypes\n      oneOf\n      options {\n        name\n        type\n        required\n        default\n        enumValues\n        description\n        common\n      }\n    }\n  }\n': typeof types.TaskEditorPluginsDocument;
  '\n  mutation DatasourceTest($id: ID!) {\n    testDatasource(id: $id) {\n      ok\n      latencyMs\n      serverVersion\n      error {\n        code\n        message\n      }\n    }\n  }\n': typeof types.DatasourceTestDocument;
  '\n  mutation DatasourceDelete($id: ID!) {\n    deleteDatasource(id: $id)\n  }\n': typeof types.DatasourceDeleteDocument;
  '\n  query RunsInstances {\n    serverInstances {\n      id\n      name\n    }\n  }\n': typeof types.RunsInstancesDocument;
  '\n  mutation RunCancel($id: ID!) {\n    cancelRun(id: $id) {\n      id\n      status\n      cancelRequestedAt\n      finishedAt\n      updatedAt\n    }\n  }\n': typeof types.RunCancelDocument;
  '\n  mutation RunRerun($id: ID!) {\n    rerunRun(id: $id) {\n      id\n      status\n      taskId\n      attempt\n    }\n  }\n': typeof types.RunRerunDocument;
  '\n  subscription RunLogStream($runId: ID!, $afterSeq: Int) {\n    runLogAppended(runId: $runId, afterSeq: $afterSeq) {\n      lastSeq\n      lines {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n': typeof types.RunLogStreamDocument;
  '\n  query RunLogLastSeq($id: ID!) {\n    run(id: $id) {\n      id\n      logTail(lines: 1) {\n        seq\n      }\n    }\n  }\n': typeof types.RunLogLastSeqDocument;
  '\n  query RunLogEarlier($id: ID!, $beforeSeq: Int!, $limit: Int!, $origin: RunLogOrigin) {\n    run(id: $id) {\n      id\n      logs(beforeSeq: $beforeSeq, limit: $limit, origin: $origin) {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n': typeof types.RunLogEarlierDocument;
  '\n  query TaskEditorValidate($workspaceId: ID!, $content: String!, $engine: TaskEngine) {\n    validateTaskConfig(workspaceId: $workspaceId, content: $content, engine: $engine, format: HOCON) {\n      valid\n      engine\n      variables\n      diagnostics {\n        severity\n        message\n        line\n        column\n        path\n      }\n    }\n  }\n': typeof types.TaskEditorValidateDocument;
  '\n  query Shell {\n    me {\n      id\n      email\n      displayName\n      superuser\n    }\n    workspaces {\n      id\n      name\n      myRole\n    }\n  }\n': typeof types.ShellDocument;
  '\n  query DatasourceEditTypes {\n    datasourceTypes {\n      name\n      label\n      options {\n        ...DatasourceOptionFields\n      }\n    }\n  }\n': typeof types.DatasourceEditTypesDocument;
  '\n  query DatasourceEdit($id: ID!) {\n    datasource(id: $id) {\n      ...DatasourceEditFields\n    }\n  }\n': typeof types.DatasourceEditDocument;
  '\n  fragment DatasourceEditFields on Datasource {\n    id\n    workspaceId\n    name\n    type\n    description\n    tags\n    options\n    updatedAt\n    secrets {\n      name\n      isSet\n    }\n    lastTest {\n      ok\n      testedAt\n      latencyMs\n      serverVersion\n      errorCode\n      message\n    }\n  }\n': typeof types.DatasourceEditFieldsFragmentDoc;
  '\n  mutation DatasourceCreate($input: CreateDatasourceInput!) {\n    createDatasource(input: $input) {\n      ...DatasourceEditFields\n    }\n  }\n': typeof types.DatasourceCreateDocument;
  '\n  mutation DatasourceUpdate($input: UpdateDatasourceInput!) {\n    updateDatasource(input: $input) {\n      ...DatasourceEditFields\n    }\n  }\n': typeof types.DatasourceUpdateDocument;
  '\n  mutation DatasourceTestInput($input: TestDatasourceInput!) {\n    testDatasourceInput(input: $input) {\n      ok\n      latencyMs\n      serverVersion\n      error {\n        code\n        message\n      }\n    }\n  }\n': typeof types.DatasourceTestInputDocument;
  '\n  query DatasourcesList($workspaceId: ID!, $filter: DatasourceFilter, $page: PageInput) {\n    datasources(workspaceId: $workspaceId, filter: $filter, page: $page) {\n      total\n      items {\n        id\n        name\n        type\n        description\n        tags\n        updatedAt\n        lastTest {\n          ok\n          testedAt\n          latencyMs\n          serverVersion\n          errorCode\n          message\n        }\n      }\n    }\n  }\n': typeof types.DatasourcesListDocument;
  '\n  query DatasourcesListTypes {\n    datasourceTypes {\n      name\n      label\n    }\n  }\n': typeof types.DatasourcesListTypesDocument;
  '\n  query LoginServerInfo {\n    serverInfo {\n      version\n      firstLoginHint {\n        adminEmail\n        passwordFromEnvironment\n      }\n    }\n  }\n': typeof types.LoginServerInfoDocument;
  '\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      token\n      expiresAt\n    }\n  }\n': typeof types.LoginDocument;
  '\n  fragment RunDetailFields on Run {\n    id\n    status\n    taskId\n    task {\n      id\n      name\n    }\n    versionNumber\n    trigger\n    triggeredByLabel\n    attempt\n    firstRunId\n    queuedAt\n    startedAt\n    finishedAt\n    notBefore\n    createdAt\n    updatedAt\n    cancelRequestedAt\n    instanceId\n    paramNames\n    error {\n      code\n      message\n    }\n  }\n': typeof types.RunDetailFieldsFragmentDoc;
  '\n  fragment RunDetailAttempt on Run {\n    id\n    attempt\n    firstRunId\n    status\n    trigger\n    queuedAt\n    startedAt\n    finishedAt\n    notBefore\n    instanceId\n    updatedAt\n    error {\n      code\n      message\n    }\n  }\n': typeof types.RunDetailAttemptFragmentDoc;
  '\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunDetailFields\n      attempts {\n        ...RunDetailAttempt\n      }\n    }\n  }\n': typeof types.RunDetailDocument;
  '\n  subscription RunDetailUpdated($id: ID!) {\n    runUpdated(filter: { runId: $id }) {\n      ...RunDetailFields\n    }\n  }\n': typeof types.RunDetailUpdatedDocument;
  '\n  subscription RunDetailChain($taskId: ID!) {\n    runUpdated(filter: { taskId: $taskId }) {\n      ...RunDetailAttempt\n    }\n  }\n': typeof types.RunDetailChainDocument;
  '\n  fragment RunsListRow on Run {\n    id\n    status\n    taskId\n    task {\n      id\n      name\n    }\n    versionNumber\n    trigger\n    triggeredByLabel\n    attempt\n    queuedAt\n    startedAt\n    finishedAt\n    createdAt\n    updatedAt\n    instanceId\n    metrics {\n      summary\n    }\n  }\n': typeof types.RunsListRowFragmentDoc;
  '\n  query RunsList($filter: RunFilter, $page: PageInput) {\n    runs(filter: $filter, page: $page) {\n      total\n      items {\n        ...RunsListRow\n      }\n    }\n  }\n': typeof types.RunsListDocument;
  '\n  subscription RunsListUpdated($workspaceId: ID!) {\n    runUpdated(filter: { workspaceId: $workspaceId }) {\n      ...RunsListRow\n    }\n  }\n': typeof types.RunsListUpdatedDocument;
  '\n  query RunsTaskOptions($workspaceId: ID!, $search: String) {\n    tasks(workspaceId: $workspaceId, filter: { search: $search }, page: { limit: 20 }) {\n      items {\n        id\n        name\n      }\n    }\n  }\n': typeof types.RunsTaskOptionsDocument;
  '\n  query RunsTaskName($id: ID!) {\n    task(id: $id) {\n      id\n      name\n    }\n  }\n': typeof types.RunsTaskNameDocument;
  '\n  fragment TaskEditorFields on Task {\n    id\n    workspaceId\n    name\n    description\n    tags\n    mode\n    engine\n    version\n    hocon\n    updatedAt\n  }\n': typeof types.TaskEditorFieldsFragmentDoc;
  '\n  query TaskEditor($id: ID!) {\n    task(id: $id) {\n      ...TaskEditorFields\n    }\n  }\n': typeof types.TaskEditorDocument;
  '\n  query TaskEditorDatasources($workspaceId: ID!) {\n    datasources(workspaceId: $workspaceId, page: { limit: 500 }) {\n      items {\n        id\n        name\n        type\n      }\n    }\n  }\n': typeof types.TaskEditorDatasourcesDocument;
  '\n  mutation TaskEditorCreate($input: CreateTaskInput!) {\n    createTask(input: $input) {\n      ...TaskEditorFields\n    }\n  }\n': typeof types.TaskEditorCreateDocument;
  '\n  mutation TaskEditorUpdate($input: UpdateTaskInput!) {\n    updateTask(input: $input) {\n      ...TaskEditorFields\n    }\n  }\n': typeof types.TaskEditorUpdateDocument;
  '\n  mutation TaskImport($input: ImportTasksInput!) {\n    importTasks(input: $input) {\n      results {\n        file\n        name\n        status\n        error\n        diagnostics {\n          severity\n          message\n          line\n          column\n          path\n        }\n        task {\n          id\n          name\n          version\n        }\n      }\n    }\n  }\n': typeof types.TaskImportDocument;
  '\n  query TasksList($workspaceId: ID!, $filter: TaskFilter, $page: PageInput) {\n    tasks(workspaceId: $workspaceId, filter: $filter, page: $page) {\n      total\n      items {\n        id\n        name\n        description\n        tags\n        mode\n        engine\n        version\n        updatedAt\n        nextFireAt\n        lastRun {\n          id\n          status\n          createdAt\n          finishedAt\n        }\n      }\n    }\n  }\n': typeof types.TasksListDocument;
  '\n  query TasksTags($workspaceId: ID!) {\n    tasks(workspaceId: $workspaceId, page: { limit: 500 }) {\n      items {\n        id\n        tags\n      }\n    }\n  }\n': typeof types.TasksTagsDocument;
  '\n  subscription TasksListRunUpdated($workspaceId: ID!) {\n    runUpdated(filter: { workspaceId: $workspaceId }) {\n      id\n      taskId\n      status\n    }\n  }\n': typeof types.TasksListRunUpdatedDocument;
  '\n  query TasksExport($id: ID!, $format: ConfigFormat!) {\n    exportTask(id: $id, format: $format)\n  }\n': typeof types.TasksExportDocument;
  '\n  mutation TasksDelete($id: ID!) {\n    deleteTask(id: $id)\n  }\n': typeof types.TasksDeleteDocument;
};
const documents: Documents = {
  '\n  mutation Logout {\n    logout\n  }\n': types.LogoutDocument,
  '\n  fragment DatasourceCatalogTable on CatalogTable {\n    name\n    kind\n    estimatedRows\n    columns {\n      name\n      type\n      nullable\n      primaryKey\n    }\n  }\n':
    types.DatasourceCatalogTableFragmentDoc,
  '\n  fragment DatasourceCatalogFile on CatalogFile {\n    path\n    format\n    compression\n    size\n    modifiedAt\n  }\n':
    types.DatasourceCatalogFileFragmentDoc,
  '\n  query DatasourceCatalogProbe($id: ID!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemaCount\n        schemas(limit: $limit) {\n          name\n        }\n        fileCount\n        files(limit: $limit) {\n          ...DatasourceCatalogFile\n        }\n      }\n    }\n  }\n':
    types.DatasourceCatalogProbeDocument,
  '\n  query DatasourceCatalogSchemas($id: ID!, $search: String, $offset: Int!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemaCount(search: $search)\n        schemas(search: $search, offset: $offset, limit: $limit) {\n          name\n        }\n      }\n    }\n  }\n':
    types.DatasourceCatalogSchemasDocument,
  '\n  query DatasourceCatalogTables(\n    $id: ID!\n    $schemaSearch: String\n    $schemaOffset: Int!\n    $search: String\n    $offset: Int!\n    $limit: Int!\n  ) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemas(search: $schemaSearch, offset: $schemaOffset, limit: 1) {\n          name\n          tableCount(search: $search)\n          tables(search: $search, offset: $offset, limit: $limit) {\n            ...DatasourceCatalogTable\n          }\n        }\n      }\n    }\n  }\n':
    types.DatasourceCatalogTablesDocument,
  '\n  query DatasourceCatalogFiles($id: ID!, $search: String, $offset: Int!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        fileCount(search: $search)\n        files(search: $search, offset: $offset, limit: $limit) {\n          ...DatasourceCatalogFile\n        }\n      }\n    }\n  }\n':
    types.DatasourceCatalogFilesDocument,
  '\n  fragment DatasourceOptionFields on DatasourceOption {\n    name\n    label\n    description\n    type\n    required\n    default\n    placeholder\n    enumValues\n    min\n    max\n    secret\n  }\n':
    types.DatasourceOptionFieldsFragmentDoc,
  '\n  query RunLogOlder($id: ID!, $afterSeq: Int, $beforeSeq: Int, $search: String, $level: RunLogLevel, $limit: Int!) {\n    run(id: $id) {\n      id\n      logs(afterSeq: $afterSeq, beforeSeq: $beforeSeq, search: $search, level: $level, limit: $limit) {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n':
    types.RunLogOlderDocument,
  '\n  query RunMetrics($id: ID!) {\n    run(id: $id) {\n      id\n      metrics {\n        summary\n        series(maxPoints: 600) {\n          time\n          sample\n        }\n      }\n    }\n  }\n':
    types.RunMetricsDocument,
  '\n  subscription RunMetricsLive($runId: ID!) {\n    runMetricsSampled(runId: $runId) {\n      time\n      sample\n    }\n  }\n':
    types.RunMetricsLiveDocument,
  '\n  query TaskRunParams($id: ID!) {\n    task(id: $id) {\n      id\n      name\n      version\n      hocon\n      variables {\n        name\n        default\n        secret\n        description\n      }\n    }\n  }\n':
    types.TaskRunParamsDocument,
  '\n  mutation TaskRunStart($input: StartRunInput!) {\n    startRun(input: $input) {\n      id\n      status\n    }\n  }\n':
    types.TaskRunStartDocument,
  '\n  query TaskRecentRuns($taskId: ID!, $limit: Int!) {\n    runs(filter: { taskId: $taskId, firstAttemptsOnly: true }, page: { limit: $limit }) {\n      total\n      items {\n        id\n        status\n        trigger\n        versionNumber\n        triggeredByLabel\n        createdAt\n        startedAt\n        finishedAt\n        error {\n          code\n          message\n        }\n      }\n    }\n  }\n':
    types.TaskRecentRunsDocument,
  '\n  subscription TaskRecentRunsChanged($taskId: ID!) {\n    runUpdated(filter: { taskId: $taskId }) {\n      id\n      status\n    }\n  }\n':
    types.TaskRecentRunsChangedDocument,
  '\n  query TaskVersionsList($taskId: ID!, $workspaceId: ID!) {\n    taskVersions(taskId: $taskId) {\n      id\n      number\n      message\n      authorId\n      createdAt\n      engine\n      mode\n      hocon\n    }\n    workspace(id: $workspaceId) {\n      id\n      members {\n        id\n        user {\n          id\n          displayName\n          email\n        }\n      }\n    }\n  }\n':
    types.TaskVersionsListDocument,
  '\n  query TaskVersionsDiff($taskId: ID!, $from: Int!, $to: Int!) {\n    taskVersionDiff(taskId: $taskId, from: $from, to: $to) {\n      settingsChanged\n    }\n  }\n':
    types.TaskVersionsDiffDocument,
  '\n  mutation TaskVersionsRollback($input: RollbackTaskInput!) {\n    rollbackTask(input: $input) {\n      id\n      version\n      hocon\n    }\n  }\n':
    types.TaskVersionsRollbackDocument,
  '\n  query TaskEditorPlugins {\n    connectorPlugins {\n      name\n      kind\n      modes\n      embedded\n      datasourceTypes\n      oneOf\n      options {\n        name\n        type\n        required\n        default\n        enumValues\n        description\n        common\n      }\n    }\n  }\n':
    types.TaskEditorPluginsDocument,
  '\n  mutation DatasourceTest($id: ID!) {\n    testDatasource(id: $id) {\n      ok\n      latencyMs\n      serverVersion\n      error {\n        code\n        message\n      }\n    }\n  }\n':
    types.DatasourceTestDocument,
  '\n  mutation DatasourceDelete($id: ID!) {\n    deleteDatasource(id: $id)\n  }\n': types.DatasourceDeleteDocument,
  '\n  query RunsInstances {\n    serverInstances {\n      id\n      name\n    }\n  }\n': types.RunsInstancesDocument,
  '\n  mutation RunCancel($id: ID!) {\n    cancelRun(id: $id) {\n      id\n      status\n      cancelRequestedAt\n      finishedAt\n      updatedAt\n    }\n  }\n':
    types.RunCancelDocument,
  '\n  mutation RunRerun($id: ID!) {\n    rerunRun(id: $id) {\n      id\n      status\n      taskId\n      attempt\n    }\n  }\n':
    types.RunRerunDocument,
  '\n  subscription RunLogStream($runId: ID!, $afterSeq: Int) {\n    runLogAppended(runId: $runId, afterSeq: $afterSeq) {\n      lastSeq\n      lines {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n':
    types.RunLogStreamDocument,
  '\n  query RunLogLastSeq($id: ID!) {\n    run(id: $id) {\n      id\n      logTail(lines: 1) {\n        seq\n      }\n    }\n  }\n':
    types.RunLogLastSeqDocument,
  '\n  query RunLogEarlier($id: ID!, $beforeSeq: Int!, $limit: Int!, $origin: RunLogOrigin) {\n    run(id: $id) {\n      id\n      logs(beforeSeq: $beforeSeq, limit: $limit, origin: $origin) {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n':
    types.RunLogEarlierDocument,
  '\n  query TaskEditorValidate($workspaceId: ID!, $content: String!, $engine: TaskEngine) {\n    validateTaskConfig(workspaceId: $workspaceId, content: $content, engine: $engine, format: HOCON) {\n      valid\n      engine\n      variables\n      diagnostics {\n        severity\n        message\n        line\n        column\n        path\n      }\n    }\n  }\n':
    types.TaskEditorValidateDocument,
  '\n  query Shell {\n    me {\n      id\n      email\n      displayName\n      superuser\n    }\n    workspaces {\n      id\n      name\n      myRole\n    }\n  }\n':
    types.ShellDocument,
  '\n  query DatasourceEditTypes {\n    datasourceTypes {\n      name\n      label\n      options {\n        ...DatasourceOptionFields\n      }\n    }\n  }\n':
    types.DatasourceEditTypesDocument,
  '\n  query DatasourceEdit($id: ID!) {\n    datasource(id: $id) {\n      ...DatasourceEditFields\n    }\n  }\n':
    types.DatasourceEditDocument,
  '\n  fragment DatasourceEditFields on Datasource {\n    id\n    workspaceId\n    name\n    type\n    description\n    tags\n    options\n    updatedAt\n    secrets {\n      name\n      isSet\n    }\n    lastTest {\n      ok\n      testedAt\n      latencyMs\n      serverVersion\n      errorCode\n      message\n    }\n  }\n':
    types.DatasourceEditFieldsFragmentDoc,
  '\n  mutation DatasourceCreate($input: CreateDatasourceInput!) {\n    createDatasource(input: $input) {\n      ...DatasourceEditFields\n    }\n  }\n':
    types.DatasourceCreateDocument,
  '\n  mutation DatasourceUpdate($input: UpdateDatasourceInput!) {\n    updateDatasource(input: $input) {\n      ...DatasourceEditFields\n    }\n  }\n':
    types.DatasourceUpdateDocument,
  '\n  mutation DatasourceTestInput($input: TestDatasourceInput!) {\n    testDatasourceInput(input: $input) {\n      ok\n      latencyMs\n      serverVersion\n      error {\n        code\n        message\n      }\n    }\n  }\n':
    types.DatasourceTestInputDocument,
  '\n  query DatasourcesList($workspaceId: ID!, $filter: DatasourceFilter, $page: PageInput) {\n    datasources(workspaceId: $workspaceId, filter: $filter, page: $page) {\n      total\n      items {\n        id\n        name\n        type\n        description\n        tags\n        updatedAt\n        lastTest {\n          ok\n          testedAt\n          latencyMs\n          serverVersion\n          errorCode\n          message\n        }\n      }\n    }\n  }\n':
    types.DatasourcesListDocument,
  '\n  query DatasourcesListTypes {\n    datasourceTypes {\n      name\n      label\n    }\n  }\n':
    types.DatasourcesListTypesDocument,
  '\n  query LoginServerInfo {\n    serverInfo {\n      version\n      firstLoginHint {\n        adminEmail\n        passwordFromEnvironment\n      }\n    }\n  }\n':
    types.LoginServerInfoDocument,
  '\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      token\n      expiresAt\n    }\n  }\n':
    types.LoginDocument,
  '\n  fragment RunDetailFields on Run {\n    id\n    status\n    taskId\n    task {\n      id\n      name\n    }\n    versionNumber\n    trigger\n    triggeredByLabel\n    attempt\n    firstRunId\n    queuedAt\n    startedAt\n    finishedAt\n    notBefore\n    createdAt\n    updatedAt\n    cancelRequestedAt\n    instanceId\n    paramNames\n    error {\n      code\n      message\n    }\n  }\n':
    types.RunDetailFieldsFragmentDoc,
  '\n  fragment RunDetailAttempt on Run {\n    id\n    attempt\n    firstRunId\n    status\n    trigger\n    queuedAt\n    startedAt\n    finishedAt\n    notBefore\n    instanceId\n    updatedAt\n    error {\n      code\n      message\n    }\n  }\n':
    types.RunDetailAttemptFragmentDoc,
  '\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunDetailFields\n      attempts {\n        ...RunDetailAttempt\n      }\n    }\n  }\n':
    types.RunDetailDocument,
  '\n  subscription RunDetailUpdated($id: ID!) {\n    runUpdated(filter: { runId: $id }) {\n      ...RunDetailFields\n    }\n  }\n':
    types.RunDetailUpdatedDocument,
  '\n  subscription RunDetailChain($taskId: ID!) {\n    runUpdated(filter: { taskId: $taskId }) {\n      ...RunDetailAttempt\n    }\n  }\n':
    types.RunDetailChainDocument,
  '\n  fragment RunsListRow on Run {\n    id\n    status\n    taskId\n    task {\n      id\n      name\n    }\n    versionNumber\n    trigger\n    triggeredByLabel\n    attempt\n    queuedAt\n    startedAt\n    finishedAt\n    createdAt\n    updatedAt\n    instanceId\n    metrics {\n      summary\n    }\n  }\n':
    types.RunsListRowFragmentDoc,
  '\n  query RunsList($filter: RunFilter, $page: PageInput) {\n    runs(filter: $filter, page: $page) {\n      total\n      items {\n        ...RunsListRow\n      }\n    }\n  }\n':
    types.RunsListDocument,
  '\n  subscription RunsListUpdated($workspaceId: ID!) {\n    runUpdated(filter: { workspaceId: $workspaceId }) {\n      ...RunsListRow\n    }\n  }\n':
    types.RunsListUpdatedDocument,
  '\n  query RunsTaskOptions($workspaceId: ID!, $search: String) {\n    tasks(workspaceId: $workspaceId, filter: { search: $search }, page: { limit: 20 }) {\n      items {\n        id\n        name\n      }\n    }\n  }\n':
    types.RunsTaskOptionsDocument,
  '\n  query RunsTaskName($id: ID!) {\n    task(id: $id) {\n      id\n      name\n    }\n  }\n':
    types.RunsTaskNameDocument,
  '\n  fragment TaskEditorFields on Task {\n    id\n    workspaceId\n    name\n    description\n    tags\n    mode\n    engine\n    version\n    hocon\n    updatedAt\n  }\n':
    types.TaskEditorFieldsFragmentDoc,
  '\n  query TaskEditor($id: ID!) {\n    task(id: $id) {\n      ...TaskEditorFields\n    }\n  }\n':
    types.TaskEditorDocument,
  '\n  query TaskEditorDatasources($workspaceId: ID!) {\n    datasources(workspaceId: $workspaceId, page: { limit: 500 }) {\n      items {\n        id\n        name\n        type\n      }\n    }\n  }\n':
    types.TaskEditorDatasourcesDocument,
  '\n  mutation TaskEditorCreate($input: CreateTaskInput!) {\n    createTask(input: $input) {\n      ...TaskEditorFields\n    }\n  }\n':
    types.TaskEditorCreateDocument,
  '\n  mutation TaskEditorUpdate($input: UpdateTaskInput!) {\n    updateTask(input: $input) {\n      ...TaskEditorFields\n    }\n  }\n':
    types.TaskEditorUpdateDocument,
  '\n  mutation TaskImport($input: ImportTasksInput!) {\n    importTasks(input: $input) {\n      results {\n        file\n        name\n        status\n        error\n        diagnostics {\n          severity\n          message\n          line\n          column\n          path\n        }\n        task {\n          id\n          name\n          version\n        }\n      }\n    }\n  }\n':
    types.TaskImportDocument,
  '\n  query TasksList($workspaceId: ID!, $filter: TaskFilter, $page: PageInput) {\n    tasks(workspaceId: $workspaceId, filter: $filter, page: $page) {\n      total\n      items {\n        id\n        name\n        description\n        tags\n        mode\n        engine\n        version\n        updatedAt\n        nextFireAt\n        lastRun {\n          id\n          status\n          createdAt\n          finishedAt\n        }\n      }\n    }\n  }\n':
    types.TasksListDocument,
  '\n  query TasksTags($workspaceId: ID!) {\n    tasks(workspaceId: $workspaceId, page: { limit: 500 }) {\n      items {\n        id\n        tags\n      }\n    }\n  }\n':
    types.TasksTagsDocument,
  '\n  subscription TasksListRunUpdated($workspaceId: ID!) {\n    runUpdated(filter: { workspaceId: $workspaceId }) {\n      id\n      taskId\n      status\n    }\n  }\n':
    types.TasksListRunUpdatedDocument,
  '\n  query TasksExport($id: ID!, $format: ConfigFormat!) {\n    exportTask(id: $id, format: $format)\n  }\n':
    types.TasksExportDocument,
  '\n  mutation TasksDelete($id: ID!) {\n    deleteTask(id: $id)\n  }\n': types.TasksDeleteDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation Logout {\n    logout\n  }\n',
): (typeof documents)['\n  mutation Logout {\n    logout\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment DatasourceCatalogTable on CatalogTable {\n    name\n    kind\n    estimatedRows\n    columns {\n      name\n      type\n      nullable\n      primaryKey\n    }\n  }\n',
): (typeof documents)['\n  fragment DatasourceCatalogTable on CatalogTable {\n    name\n    kind\n    estimatedRows\n    columns {\n      name\n      type\n      nullable\n      primaryKey\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment DatasourceCatalogFile on CatalogFile {\n    path\n    format\n    compression\n    size\n    modifiedAt\n  }\n',
): (typeof documents)['\n  fragment DatasourceCatalogFile on CatalogFile {\n    path\n    format\n    compression\n    size\n    modifiedAt\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DatasourceCatalogProbe($id: ID!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemaCount\n        schemas(limit: $limit) {\n          name\n        }\n        fileCount\n        files(limit: $limit) {\n          ...DatasourceCatalogFile\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query DatasourceCatalogProbe($id: ID!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemaCount\n        schemas(limit: $limit) {\n          name\n        }\n        fileCount\n        files(limit: $limit) {\n          ...DatasourceCatalogFile\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DatasourceCatalogSchemas($id: ID!, $search: String, $offset: Int!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemaCount(search: $search)\n        schemas(search: $search, offset: $offset, limit: $limit) {\n          name\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query DatasourceCatalogSchemas($id: ID!, $search: String, $offset: Int!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemaCount(search: $search)\n        schemas(search: $search, offset: $offset, limit: $limit) {\n          name\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DatasourceCatalogTables(\n    $id: ID!\n    $schemaSearch: String\n    $schemaOffset: Int!\n    $search: String\n    $offset: Int!\n    $limit: Int!\n  ) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemas(search: $schemaSearch, offset: $schemaOffset, limit: 1) {\n          name\n          tableCount(search: $search)\n          tables(search: $search, offset: $offset, limit: $limit) {\n            ...DatasourceCatalogTable\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query DatasourceCatalogTables(\n    $id: ID!\n    $schemaSearch: String\n    $schemaOffset: Int!\n    $search: String\n    $offset: Int!\n    $limit: Int!\n  ) {\n    datasource(id: $id) {\n      id\n      catalog {\n        schemas(search: $schemaSearch, offset: $schemaOffset, limit: 1) {\n          name\n          tableCount(search: $search)\n          tables(search: $search, offset: $offset, limit: $limit) {\n            ...DatasourceCatalogTable\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DatasourceCatalogFiles($id: ID!, $search: String, $offset: Int!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        fileCount(search: $search)\n        files(search: $search, offset: $offset, limit: $limit) {\n          ...DatasourceCatalogFile\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query DatasourceCatalogFiles($id: ID!, $search: String, $offset: Int!, $limit: Int!) {\n    datasource(id: $id) {\n      id\n      catalog {\n        fileCount(search: $search)\n        files(search: $search, offset: $offset, limit: $limit) {\n          ...DatasourceCatalogFile\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment DatasourceOptionFields on DatasourceOption {\n    name\n    label\n    description\n    type\n    required\n    default\n    placeholder\n    enumValues\n    min\n    max\n    secret\n  }\n',
): (typeof documents)['\n  fragment DatasourceOptionFields on DatasourceOption {\n    name\n    label\n    description\n    type\n    required\n    default\n    placeholder\n    enumValues\n    min\n    max\n    secret\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query RunLogOlder($id: ID!, $afterSeq: Int, $beforeSeq: Int, $search: String, $level: RunLogLevel, $limit: Int!) {\n    run(id: $id) {\n      id\n      logs(afterSeq: $afterSeq, beforeSeq: $beforeSeq, search: $search, level: $level, limit: $limit) {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  query RunLogOlder($id: ID!, $afterSeq: Int, $beforeSeq: Int, $search: String, $level: RunLogLevel, $limit: Int!) {\n    run(id: $id) {\n      id\n      logs(afterSeq: $afterSeq, beforeSeq: $beforeSeq, search: $search, level: $level, limit: $limit) {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query RunMetrics($id: ID!) {\n    run(id: $id) {\n      id\n      metrics {\n        summary\n        series(maxPoints: 600) {\n          time\n          sample\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query RunMetrics($id: ID!) {\n    run(id: $id) {\n      id\n      metrics {\n        summary\n        series(maxPoints: 600) {\n          time\n          sample\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription RunMetricsLive($runId: ID!) {\n    runMetricsSampled(runId: $runId) {\n      time\n      sample\n    }\n  }\n',
): (typeof documents)['\n  subscription RunMetricsLive($runId: ID!) {\n    runMetricsSampled(runId: $runId) {\n      time\n      sample\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TaskRunParams($id: ID!) {\n    task(id: $id) {\n      id\n      name\n      version\n      hocon\n      variables {\n        name\n        default\n        secret\n        description\n      }\n    }\n  }\n',
): (typeof documents)['\n  query TaskRunParams($id: ID!) {\n    task(id: $id) {\n      id\n      name\n      version\n      hocon\n      variables {\n        name\n        default\n        secret\n        description\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation TaskRunStart($input: StartRunInput!) {\n    startRun(input: $input) {\n      id\n      status\n    }\n  }\n',
): (typeof documents)['\n  mutation TaskRunStart($input: StartRunInput!) {\n    startRun(input: $input) {\n      id\n      status\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TaskRecentRuns($taskId: ID!, $limit: Int!) {\n    runs(filter: { taskId: $taskId, firstAttemptsOnly: true }, page: { limit: $limit }) {\n      total\n      items {\n        id\n        status\n        trigger\n        versionNumber\n        triggeredByLabel\n        createdAt\n        startedAt\n        finishedAt\n        error {\n          code\n          message\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query TaskRecentRuns($taskId: ID!, $limit: Int!) {\n    runs(filter: { taskId: $taskId, firstAttemptsOnly: true }, page: { limit: $limit }) {\n      total\n      items {\n        id\n        status\n        trigger\n        versionNumber\n        triggeredByLabel\n        createdAt\n        startedAt\n        finishedAt\n        error {\n          code\n          message\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription TaskRecentRunsChanged($taskId: ID!) {\n    runUpdated(filter: { taskId: $taskId }) {\n      id\n      status\n    }\n  }\n',
): (typeof documents)['\n  subscription TaskRecentRunsChanged($taskId: ID!) {\n    runUpdated(filter: { taskId: $taskId }) {\n      id\n      status\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TaskVersionsList($taskId: ID!, $workspaceId: ID!) {\n    taskVersions(taskId: $taskId) {\n      id\n      number\n      message\n      authorId\n      createdAt\n      engine\n      mode\n      hocon\n    }\n    workspace(id: $workspaceId) {\n      id\n      members {\n        id\n        user {\n          id\n          displayName\n          email\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query TaskVersionsList($taskId: ID!, $workspaceId: ID!) {\n    taskVersions(taskId: $taskId) {\n      id\n      number\n      message\n      authorId\n      createdAt\n      engine\n      mode\n      hocon\n    }\n    workspace(id: $workspaceId) {\n      id\n      members {\n        id\n        user {\n          id\n          displayName\n          email\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TaskVersionsDiff($taskId: ID!, $from: Int!, $to: Int!) {\n    taskVersionDiff(taskId: $taskId, from: $from, to: $to) {\n      settingsChanged\n    }\n  }\n',
): (typeof documents)['\n  query TaskVersionsDiff($taskId: ID!, $from: Int!, $to: Int!) {\n    taskVersionDiff(taskId: $taskId, from: $from, to: $to) {\n      settingsChanged\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation TaskVersionsRollback($input: RollbackTaskInput!) {\n    rollbackTask(input: $input) {\n      id\n      version\n      hocon\n    }\n  }\n',
): (typeof documents)['\n  mutation TaskVersionsRollback($input: RollbackTaskInput!) {\n    rollbackTask(input: $input) {\n      id\n      version\n      hocon\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TaskEditorPlugins {\n    connectorPlugins {\n      name\n      kind\n      modes\n      embedded\n      datasourceTypes\n      oneOf\n      options {\n        name\n        type\n        required\n        default\n        enumValues\n        description\n        common\n      }\n    }\n  }\n',
): (typeof documents)['\n  query TaskEditorPlugins {\n    connectorPlugins {\n      name\n      kind\n      modes\n      embedded\n      datasourceTypes\n      oneOf\n      options {\n        name\n        type\n        required\n        default\n        enumValues\n        description\n        common\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DatasourceTest($id: ID!) {\n    testDatasource(id: $id) {\n      ok\n      latencyMs\n      serverVersion\n      error {\n        code\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation DatasourceTest($id: ID!) {\n    testDatasource(id: $id) {\n      ok\n      latencyMs\n      serverVersion\n      error {\n        code\n        message\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DatasourceDelete($id: ID!) {\n    deleteDatasource(id: $id)\n  }\n',
): (typeof documents)['\n  mutation DatasourceDelete($id: ID!) {\n    deleteDatasource(id: $id)\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query RunsInstances {\n    serverInstances {\n      id\n      name\n    }\n  }\n',
): (typeof documents)['\n  query RunsInstances {\n    serverInstances {\n      id\n      name\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation RunCancel($id: ID!) {\n    cancelRun(id: $id) {\n      id\n      status\n      cancelRequestedAt\n      finishedAt\n      updatedAt\n    }\n  }\n',
): (typeof documents)['\n  mutation RunCancel($id: ID!) {\n    cancelRun(id: $id) {\n      id\n      status\n      cancelRequestedAt\n      finishedAt\n      updatedAt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation RunRerun($id: ID!) {\n    rerunRun(id: $id) {\n      id\n      status\n      taskId\n      attempt\n    }\n  }\n',
): (typeof documents)['\n  mutation RunRerun($id: ID!) {\n    rerunRun(id: $id) {\n      id\n      status\n      taskId\n      attempt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription RunLogStream($runId: ID!, $afterSeq: Int) {\n    runLogAppended(runId: $runId, afterSeq: $afterSeq) {\n      lastSeq\n      lines {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  subscription RunLogStream($runId: ID!, $afterSeq: Int) {\n    runLogAppended(runId: $runId, afterSeq: $afterSeq) {\n      lastSeq\n      lines {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query RunLogLastSeq($id: ID!) {\n    run(id: $id) {\n      id\n      logTail(lines: 1) {\n        seq\n      }\n    }\n  }\n',
): (typeof documents)['\n  query RunLogLastSeq($id: ID!) {\n    run(id: $id) {\n      id\n      logTail(lines: 1) {\n        seq\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query RunLogEarlier($id: ID!, $beforeSeq: Int!, $limit: Int!, $origin: RunLogOrigin) {\n    run(id: $id) {\n      id\n      logs(beforeSeq: $beforeSeq, limit: $limit, origin: $origin) {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  query RunLogEarlier($id: ID!, $beforeSeq: Int!, $limit: Int!, $origin: RunLogOrigin) {\n    run(id: $id) {\n      id\n      logs(beforeSeq: $beforeSeq, limit: $limit, origin: $origin) {\n        seq\n        time\n        level\n        origin\n        message\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TaskEditorValidate($workspaceId: ID!, $content: String!, $engine: TaskEngine) {\n    validateTaskConfig(workspaceId: $workspaceId, content: $content, engine: $engine, format: HOCON) {\n      valid\n      engine\n      variables\n      diagnostics {\n        severity\n        message\n        line\n        column\n        path\n      }\n    }\n  }\n',
): (typeof documents)['\n  query TaskEditorValidate($workspaceId: ID!, $content: String!, $engine: TaskEngine) {\n    validateTaskConfig(workspaceId: $workspaceId, content: $content, engine: $engine, format: HOCON) {\n      valid\n      engine\n      variables\n      diagnostics {\n        severity\n        message\n        line\n        column\n        path\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Shell {\n    me {\n      id\n      email\n      displayName\n      superuser\n    }\n    workspaces {\n      id\n      name\n      myRole\n    }\n  }\n',
): (typeof documents)['\n  query Shell {\n    me {\n      id\n      email\n      displayName\n      superuser\n    }\n    workspaces {\n      id\n      name\n      myRole\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DatasourceEditTypes {\n    datasourceTypes {\n      name\n      label\n      options {\n        ...DatasourceOptionFields\n      }\n    }\n  }\n',
): (typeof documents)['\n  query DatasourceEditTypes {\n    datasourceTypes {\n      name\n      label\n      options {\n        ...DatasourceOptionFields\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DatasourceEdit($id: ID!) {\n    datasource(id: $id) {\n      ...DatasourceEditFields\n    }\n  }\n',
): (typeof documents)['\n  query DatasourceEdit($id: ID!) {\n    datasource(id: $id) {\n      ...DatasourceEditFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment DatasourceEditFields on Datasource {\n    id\n    workspaceId\n    name\n    type\n    description\n    tags\n    options\n    updatedAt\n    secrets {\n      name\n      isSet\n    }\n    lastTest {\n      ok\n      testedAt\n      latencyMs\n      serverVersion\n      errorCode\n      message\n    }\n  }\n',
): (typeof documents)['\n  fragment DatasourceEditFields on Datasource {\n    id\n    workspaceId\n    name\n    type\n    description\n    tags\n    options\n    updatedAt\n    secrets {\n      name\n      isSet\n    }\n    lastTest {\n      ok\n      testedAt\n      latencyMs\n      serverVersion\n      errorCode\n      message\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DatasourceCreate($input: CreateDatasourceInput!) {\n    createDatasource(input: $input) {\n      ...DatasourceEditFields\n    }\n  }\n',
): (typeof documents)['\n  mutation DatasourceCreate($input: CreateDatasourceInput!) {\n    createDatasource(input: $input) {\n      ...DatasourceEditFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DatasourceUpdate($input: UpdateDatasourceInput!) {\n    updateDatasource(input: $input) {\n      ...DatasourceEditFields\n    }\n  }\n',
): (typeof documents)['\n  mutation DatasourceUpdate($input: UpdateDatasourceInput!) {\n    updateDatasource(input: $input) {\n      ...DatasourceEditFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DatasourceTestInput($input: TestDatasourceInput!) {\n    testDatasourceInput(input: $input) {\n      ok\n      latencyMs\n      serverVersion\n      error {\n        code\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation DatasourceTestInput($input: TestDatasourceInput!) {\n    testDatasourceInput(input: $input) {\n      ok\n      latencyMs\n      serverVersion\n      error {\n        code\n        message\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DatasourcesList($workspaceId: ID!, $filter: DatasourceFilter, $page: PageInput) {\n    datasources(workspaceId: $workspaceId, filter: $filter, page: $page) {\n      total\n      items {\n        id\n        name\n        type\n        description\n        tags\n        updatedAt\n        lastTest {\n          ok\n          testedAt\n          latencyMs\n          serverVersion\n          errorCode\n          message\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query DatasourcesList($workspaceId: ID!, $filter: DatasourceFilter, $page: PageInput) {\n    datasources(workspaceId: $workspaceId, filter: $filter, page: $page) {\n      total\n      items {\n        id\n        name\n        type\n        description\n        tags\n        updatedAt\n        lastTest {\n          ok\n          testedAt\n          latencyMs\n          serverVersion\n          errorCode\n          message\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DatasourcesListTypes {\n    datasourceTypes {\n      name\n      label\n    }\n  }\n',
): (typeof documents)['\n  query DatasourcesListTypes {\n    datasourceTypes {\n      name\n      label\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query LoginServerInfo {\n    serverInfo {\n      version\n      firstLoginHint {\n        adminEmail\n        passwordFromEnvironment\n      }\n    }\n  }\n',
): (typeof documents)['\n  query LoginServerInfo {\n    serverInfo {\n      version\n      firstLoginHint {\n        adminEmail\n        passwordFromEnvironment\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      token\n      expiresAt\n    }\n  }\n',
): (typeof documents)['\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      token\n      expiresAt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment RunDetailFields on Run {\n    id\n    status\n    taskId\n    task {\n      id\n      name\n    }\n    versionNumber\n    trigger\n    triggeredByLabel\n    attempt\n    firstRunId\n    queuedAt\n    startedAt\n    finishedAt\n    notBefore\n    createdAt\n    updatedAt\n    cancelRequestedAt\n    instanceId\n    paramNames\n    error {\n      code\n      message\n    }\n  }\n',
): (typeof documents)['\n  fragment RunDetailFields on Run {\n    id\n    status\n    taskId\n    task {\n      id\n      name\n    }\n    versionNumber\n    trigger\n    triggeredByLabel\n    attempt\n    firstRunId\n    queuedAt\n    startedAt\n    finishedAt\n    notBefore\n    createdAt\n    updatedAt\n    cancelRequestedAt\n    instanceId\n    paramNames\n    error {\n      code\n      message\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment RunDetailAttempt on Run {\n    id\n    attempt\n    firstRunId\n    status\n    trigger\n    queuedAt\n    startedAt\n    finishedAt\n    notBefore\n    instanceId\n    updatedAt\n    error {\n      code\n      message\n    }\n  }\n',
): (typeof documents)['\n  fragment RunDetailAttempt on Run {\n    id\n    attempt\n    firstRunId\n    status\n    trigger\n    queuedAt\n    startedAt\n    finishedAt\n    notBefore\n    instanceId\n    updatedAt\n    error {\n      code\n      message\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunDetailFields\n      attempts {\n        ...RunDetailAttempt\n      }\n    }\n  }\n',
): (typeof documents)['\n  query RunDetail($id: ID!) {\n    run(id: $id) {\n      ...RunDetailFields\n      attempts {\n        ...RunDetailAttempt\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription RunDetailUpdated($id: ID!) {\n    runUpdated(filter: { runId: $id }) {\n      ...RunDetailFields\n    }\n  }\n',
): (typeof documents)['\n  subscription RunDetailUpdated($id: ID!) {\n    runUpdated(filter: { runId: $id }) {\n      ...RunDetailFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription RunDetailChain($taskId: ID!) {\n    runUpdated(filter: { taskId: $taskId }) {\n      ...RunDetailAttempt\n    }\n  }\n',
): (typeof documents)['\n  subscription RunDetailChain($taskId: ID!) {\n    runUpdated(filter: { taskId: $taskId }) {\n      ...RunDetailAttempt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment RunsListRow on Run {\n    id\n    status\n    taskId\n    task {\n      id\n      name\n    }\n    versionNumber\n    trigger\n    triggeredByLabel\n    attempt\n    queuedAt\n    startedAt\n    finishedAt\n    createdAt\n    updatedAt\n    instanceId\n    metrics {\n      summary\n    }\n  }\n',
): (typeof documents)['\n  fragment RunsListRow on Run {\n    id\n    status\n    taskId\n    task {\n      id\n      name\n    }\n    versionNumber\n    trigger\n    triggeredByLabel\n    attempt\n    queuedAt\n    startedAt\n    finishedAt\n    createdAt\n    updatedAt\n    instanceId\n    metrics {\n      summary\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query RunsList($filter: RunFilter, $page: PageInput) {\n    runs(filter: $filter, page: $page) {\n      total\n      items {\n        ...RunsListRow\n      }\n    }\n  }\n',
): (typeof documents)['\n  query RunsList($filter: RunFilter, $page: PageInput) {\n    runs(filter: $filter, page: $page) {\n      total\n      items {\n        ...RunsListRow\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription RunsListUpdated($workspaceId: ID!) {\n    runUpdated(filter: { workspaceId: $workspaceId }) {\n      ...RunsListRow\n    }\n  }\n',
): (typeof documents)['\n  subscription RunsListUpdated($workspaceId: ID!) {\n    runUpdated(filter: { workspaceId: $workspaceId }) {\n      ...RunsListRow\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query RunsTaskOptions($workspaceId: ID!, $search: String) {\n    tasks(workspaceId: $workspaceId, filter: { search: $search }, page: { limit: 20 }) {\n      items {\n        id\n        name\n      }\n    }\n  }\n',
): (typeof documents)['\n  query RunsTaskOptions($workspaceId: ID!, $search: String) {\n    tasks(workspaceId: $workspaceId, filter: { search: $search }, page: { limit: 20 }) {\n      items {\n        id\n        name\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query RunsTaskName($id: ID!) {\n    task(id: $id) {\n      id\n      name\n    }\n  }\n',
): (typeof documents)['\n  query RunsTaskName($id: ID!) {\n    task(id: $id) {\n      id\n      name\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment TaskEditorFields on Task {\n    id\n    workspaceId\n    name\n    description\n    tags\n    mode\n    engine\n    version\n    hocon\n    updatedAt\n  }\n',
): (typeof documents)['\n  fragment TaskEditorFields on Task {\n    id\n    workspaceId\n    name\n    description\n    tags\n    mode\n    engine\n    version\n    hocon\n    updatedAt\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TaskEditor($id: ID!) {\n    task(id: $id) {\n      ...TaskEditorFields\n    }\n  }\n',
): (typeof documents)['\n  query TaskEditor($id: ID!) {\n    task(id: $id) {\n      ...TaskEditorFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TaskEditorDatasources($workspaceId: ID!) {\n    datasources(workspaceId: $workspaceId, page: { limit: 500 }) {\n      items {\n        id\n        name\n        type\n      }\n    }\n  }\n',
): (typeof documents)['\n  query TaskEditorDatasources($workspaceId: ID!) {\n    datasources(workspaceId: $workspaceId, page: { limit: 500 }) {\n      items {\n        id\n        name\n        type\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation TaskEditorCreate($input: CreateTaskInput!) {\n    createTask(input: $input) {\n      ...TaskEditorFields\n    }\n  }\n',
): (typeof documents)['\n  mutation TaskEditorCreate($input: CreateTaskInput!) {\n    createTask(input: $input) {\n      ...TaskEditorFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation TaskEditorUpdate($input: UpdateTaskInput!) {\n    updateTask(input: $input) {\n      ...TaskEditorFields\n    }\n  }\n',
): (typeof documents)['\n  mutation TaskEditorUpdate($input: UpdateTaskInput!) {\n    updateTask(input: $input) {\n      ...TaskEditorFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation TaskImport($input: ImportTasksInput!) {\n    importTasks(input: $input) {\n      results {\n        file\n        name\n        status\n        error\n        diagnostics {\n          severity\n          message\n          line\n          column\n          path\n        }\n        task {\n          id\n          name\n          version\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation TaskImport($input: ImportTasksInput!) {\n    importTasks(input: $input) {\n      results {\n        file\n        name\n        status\n        error\n        diagnostics {\n          severity\n          message\n          line\n          column\n          path\n        }\n        task {\n          id\n          name\n          version\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TasksList($workspaceId: ID!, $filter: TaskFilter, $page: PageInput) {\n    tasks(workspaceId: $workspaceId, filter: $filter, page: $page) {\n      total\n      items {\n        id\n        name\n        description\n        tags\n        mode\n        engine\n        version\n        updatedAt\n        nextFireAt\n        lastRun {\n          id\n          status\n          createdAt\n          finishedAt\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query TasksList($workspaceId: ID!, $filter: TaskFilter, $page: PageInput) {\n    tasks(workspaceId: $workspaceId, filter: $filter, page: $page) {\n      total\n      items {\n        id\n        name\n        description\n        tags\n        mode\n        engine\n        version\n        updatedAt\n        nextFireAt\n        lastRun {\n          id\n          status\n          createdAt\n          finishedAt\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TasksTags($workspaceId: ID!) {\n    tasks(workspaceId: $workspaceId, page: { limit: 500 }) {\n      items {\n        id\n        tags\n      }\n    }\n  }\n',
): (typeof documents)['\n  query TasksTags($workspaceId: ID!) {\n    tasks(workspaceId: $workspaceId, page: { limit: 500 }) {\n      items {\n        id\n        tags\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription TasksListRunUpdated($workspaceId: ID!) {\n    runUpdated(filter: { workspaceId: $workspaceId }) {\n      id\n      taskId\n      status\n    }\n  }\n',
): (typeof documents)['\n  subscription TasksListRunUpdated($workspaceId: ID!) {\n    runUpdated(filter: { workspaceId: $workspaceId }) {\n      id\n      taskId\n      status\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TasksExport($id: ID!, $format: ConfigFormat!) {\n    exportTask(id: $id, format: $format)\n  }\n',
): (typeof documents)['\n  query TasksExport($id: ID!, $format: ConfigFormat!) {\n    exportTask(id: $id, format: $format)\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation TasksDelete($id: ID!) {\n    deleteTask(id: $id)\n  }\n',
): (typeof documents)['\n  mutation TasksDelete($id: ID!) {\n    deleteTask(id: $id)\n  }\n'];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> =
  TDocumentNode extends DocumentNode<infer TType, any> ? TType : never;
