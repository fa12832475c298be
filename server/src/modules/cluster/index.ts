export { ClusterService, type ClusterServiceOptions } from './cluster.service.js';
export { ClusterResolver, DatabaseInfoProvider } from './cluster.resolver.js';
export { InstanceStatus, ServerInstance } from './server-instance.entity.js';
export { DatabaseKind, type DatabaseInfo, ServerInfo } from './server-info.type.js';
