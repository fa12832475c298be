import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** A GraphQL call over HTTP, as the dashboard makes it (POST, JSON). */
export async function gql<T = Record<string, unknown>>(
  baseUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLResponse<T>;
}

/** Like `gql`, but fails the test on any GraphQL error and returns `data`. */
export async function gqlData<T = Record<string, unknown>>(
  baseUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
): Promise<T> {
  const res = await gql<T>(baseUrl, query, variables, token);
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data!;
}

export interface Subscription<T> {
  /** The next event, or a rejection after `timeoutMs`. */
  next(timeoutMs?: number): Promise<T>;
  /** Waits for an event matching `predicate`, skipping others. */
  until(predicate: (event: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): void;
}

export interface SocketClient {
  client: Client;
  subscribe<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Subscription<T>;
  /** The close event of the socket, once it happens. */
  closed: Promise<{ code: number; reason: string }>;
  dispose(): Promise<void>;
}

/** Signs in and returns the session token. */
export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const data = await gqlData<{ login: { token: string } }>(
    baseUrl,
    'mutation($input: LoginInput!) { login(input: $input) { token } }',
    { input: { email, password } },
  );
  return data.login.token;
}

/** A graphql-ws client on `/graphql` of `baseUrl`, connected eagerly, signed in with `token` when given. */
export async function connectSocket(baseUrl: string, token?: string): Promise<SocketClient> {
  const connectionParams = token ? { authorization: `Bearer ${token}` } : undefined;
  let onClosed!: (e: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (onClosed = r));
  let onConnected!: () => void;
  let onFailed!: (e: unknown) => void;
  const connected = new Promise<void>((resolve, reject) => {
    onConnected = resolve;
    onFailed = reject;
  });
  const client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    lazy: false,
    onNonLazyError: () => undefined, // reported through `closed` instead
    retryAttempts: 0,
    connectionParams,
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const e = event as { code: number; reason: string };
        onClosed({ code: e.code, reason: e.reason });
        onFailed(new Error(`socket closed: ${e.code} ${e.reason}`));
      },
      error: (err) => onFailed(err),
    },
  });
  await connected;

  return {
    client,
    closed,
    dispose: () => client.dispose() as Promise<void>,
    subscribe<T>(query: string, variables?: Record<string, unknown>): Subscription<T> {
      const queue: T[] = [];
      const waiters: ((v: T) => void)[] = [];
      let failure: Error | undefined;
      const unsubscribe = client.subscribe<T>(
        { query, variables },
        {
          next: (value) => {
            if (value.errors) failure = new Error(JSON.stringify(value.errors));
            const data = value.data as T;
            const waiter = waiters.shift();
            if (waiter) waiter(data);
            else queue.push(data);
          },
          error: (err) =>
            (failure = err instanceof Error ? err : new Error(`subscription failed: ${JSON.stringify(err)}`)),
          complete: () => undefined,
        },
      );
      const next = (timeoutMs = 5000): Promise<T> => {
        if (failure) return Promise.reject(failure);
        const queued = queue.shift();
        if (queued !== undefined) return Promise.resolve(queued);
        return new Promise<T>((resolve, reject) => {
          const timer = setTimeout(() => {
            const i = waiters.indexOf(done);
            if (i >= 0) waiters.splice(i, 1);
            reject(failure ?? new Error(`no subscription event within ${timeoutMs} ms`));
          }, timeoutMs);
          const done = (v: T) => {
            clearTimeout(timer);
            resolve(v);
          };
          waiters.push(done);
        });
      };
      return {
        next,
        async until(predicate, timeoutMs = 5000) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const event = await next(Math.max(1, deadline - Date.now()));
            if (predicate(event)) return event;
          }
        },
        close: unsubscribe,
      };
    },
  };
}
