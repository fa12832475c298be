export { ClusterService, type ClusterServiceOptions } from './cluster.service.js';
export {
  ClusterResolver,
  DatabaseInfoProvider,
  FirstLoginHintProvider,
  ServerInfoResolver,
} from './cluster.resolver.js';
export { InstanceStatus, ServerInstance } from './server-instance.entity.js';
export { DatabaseKind, type DatabaseInfo, FirstLoginHint, ServerInfo } from './server-info.type.js';
