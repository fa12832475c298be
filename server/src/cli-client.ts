import fs from 'node:fs/promises';
import path from 'node:path';
import type { ClientConfig } from './config.js';

/** A minimal GraphQL client for the `sluice` commands that work through a running server. */
export class SluiceClient {
  constructor(private readonly config: ClientConfig) {
    if (!config.token) {
      throw new Error(
        'Set SLUICE_TOKEN to an API token (createApiToken) or a session token (login); SLUICE_URL points at the server',
      );
    }
  }

  async request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.config.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.config.token}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      throw new Error(`Cannot reach Sluice at ${this.config.url} (${(err as Error).message}); set SLUICE_URL`);
    }
    const body = (await res.json().catch(() => ({}))) as {
      data?: T;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    if (body.errors?.length) {
      throw new Error(
        body.errors.map((e) => `${e.message}${e.extensions?.code ? ` (${e.extensions.code})` : ''}`).join('; '),
      );
    }
    if (!res.ok || !body.data) throw new Error(`Sluice answered HTTP ${res.status}`);
    return body.data;
  }

  /** A workspace by name or id; with none given, the caller's only workspace. */
  async workspace(nameOrId: string | undefined): Promise<{ id: string; name: string }> {
    const { workspaces } = await this.request<{ workspaces: { id: string; name: string }[] }>(
      '{ workspaces { id name } }',
    );
    if (nameOrId) {
      const found = workspaces.find((w) => w.id === nameOrId || w.name.toLowerCase() === nameOrId.toLowerCase());
      if (!found)
        throw new Error(`No workspace "${nameOrId}" (yours: ${workspaces.map((w) => w.name).join(', ') || 'none'})`);
      return found;
    }
    if (workspaces.length !== 1) {
      throw new Error(
        `Choose a workspace with --workspace (yours: ${workspaces.map((w) => w.name).join(', ') || 'none'})`,
      );
    }
    return workspaces[0]!;
  }
}

/** The config files named on the command line: files as given, directories searched (recursively) for .conf, .hocon and .json. */
export async function collectConfigFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const given of paths) {
    const stat = await fs.stat(given).catch(() => undefined);
    if (!stat) throw new Error(`${given}: no such file or directory`);
    if (stat.isDirectory()) {
      const entries = await fs.readdir(given, { recursive: true, withFileTypes: true });
      files.push(
        ...entries
          .filter((e) => e.isFile() && /\.(conf|hocon|json)$/i.test(e.name))
          .map((e) => path.join(e.parentPath, e.name))
          .sort(),
      );
    } else {
      files.push(given);
    }
  }
  return files;
}

/** Options of the form `--name value` and the remaining arguments. */
export function parseArgs(argv: string[], known: string[]): { options: Record<string, string>; rest: string[] } {
  const options: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (!known.includes(name))
      throw new Error(`Unknown option --${name} (known: ${known.map((k) => `--${k}`).join(', ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    options[name] = value;
  }
  return { options, rest };
}
