import type { OptionDefinition } from './driver.js';

/**
 * The options every network database shares, in the order forms show them. `server` names the
 * product in descriptions ("the PostgreSQL server"); the TLS option is each driver's own.
 */
export function networkOptions(server: string, defaults: { port: number; userDescription: string }) {
  const host: OptionDefinition = {
    name: 'host',
    label: 'Host',
    type: 'STRING',
    required: true,
    secret: false,
    description: `Host name or IP address of the ${server} server.`,
    placeholder: 'db.example.com',
  };
  const port: OptionDefinition = {
    name: 'port',
    label: 'Port',
    type: 'INTEGER',
    required: false,
    default: defaults.port,
    min: 1,
    max: 65535,
    secret: false,
    description: `TCP port of the ${server} server.`,
  };
  const user: OptionDefinition = {
    name: 'user',
    label: 'User',
    type: 'STRING',
    required: true,
    secret: false,
    description: defaults.userDescription,
  };
  const password: OptionDefinition = {
    name: 'password',
    label: 'Password',
    type: 'STRING',
    required: false,
    secret: true,
    description: 'The password; empty when the server does not ask for one.',
  };
  const connectTimeoutSeconds: OptionDefinition = {
    name: 'connectTimeoutSeconds',
    label: 'Connect timeout (s)',
    type: 'INTEGER',
    required: false,
    default: 10,
    min: 1,
    max: 300,
    secret: false,
    description: 'How long to wait for the server to accept the connection and the sign-in.',
  };
  return { host, port, user, password, connectTimeoutSeconds };
}
