import { cacheExchange, Client, CombinedError, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { shallowRef } from 'vue';
import { currentToken, endSession, onSessionChange } from './useSession';

/** graphql-ws closes a socket whose token is no longer valid with this code (server/src/graphql/websocket.ts). */
const CLOSE_UNAUTHORIZED = 4401;

function isAuthFailure(error: CombinedError): boolean {
  return error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

function wsUrl(): string {
  const url = new URL('/graphql', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

let socket: WsClient | null = null;

function createSocket(): WsClient {
  return createWsClient({
    url: wsUrl(),
    lazy: true,
    lazyCloseTimeout: 3_000,
    // Reconnect after a server restart or a network blip; subscriptions resume where they were.
    retryAttempts: Infinity,
    shouldRetry: (event) => !(event instanceof CloseEvent && event.code === CLOSE_UNAUTHORIZED),
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * 2 ** retries, 15_000)));
    },
    connectionParams: () => {
      const token = currentToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      closed: (event) => {
        if ((event as CloseEvent | undefined)?.code === CLOSE_UNAUTHORIZED) endSession('expired');
      },
    },
  });
}

/**
 * One urql client per session: urql's cache holds server state, and a new client on sign-in or
 * sign-out means nothing one user read is shown to the next.
 */
export function createApiClient(): Client {
  socket?.terminate();
  socket = createSocket();
  const ws = socket;
  return new Client({
    url: '/graphql',
    // Apollo's CSRF prevention refuses simple GET requests; the API is always POSTed.
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: (): RequestInit => {
      const token = currentToken();
      return { headers: token ? { authorization: `Bearer ${token}` } : {} };
    },
    exchanges: [
      mapExchange({
        onError(error, operation) {
          const isLogin = operation.kind === 'mutation' && operation.query.loc?.source.body.includes('login(');
          if (!isLogin && currentToken() !== null && isAuthFailure(error)) endSession('expired');
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}

export const apiClient = shallowRef<Client>(createApiClient());

onSessionChange(() => {
  apiClient.value = createApiClient();
});
