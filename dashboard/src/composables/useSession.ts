import { computed, reactive, readonly } from 'vue';

/**
 * The signed-in state of this tab. The token lives in sessionStorage: it survives a reload but not
 * the tab, and other tabs sign in on their own. The chosen workspace is remembered per browser.
 */
const TOKEN_KEY = 'sluice.session';
const WORKSPACE_KEY = 'sluice.workspace';

export type SignOutReason = 'signedOut' | 'expired';

interface StoredSession {
  token: string;
  expiresAt: string;
}

interface SessionState {
  token: string | null;
  expiresAt: string | null;
  workspaceId: string | null;
  /** Why the last session ended, shown once on the login page. */
  endedBecause: SignOutReason | null;
}

function readStored(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredSession;
    return typeof parsed.token === 'string' && typeof parsed.expiresAt === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

const stored = readStored();
const state = reactive<SessionState>({
  token: stored && Date.parse(stored.expiresAt) > Date.now() ? stored.token : null,
  expiresAt: stored?.expiresAt ?? null,
  workspaceId: localStorage.getItem(WORKSPACE_KEY),
  endedBecause: stored && Date.parse(stored.expiresAt) <= Date.now() ? 'expired' : null,
});

const listeners = new Set<(signedIn: boolean) => void>();

function notify(): void {
  for (const listener of listeners) listener(state.token !== null);
}

export function signIn(token: string, expiresAt: string): void {
  state.token = token;
  state.expiresAt = expiresAt;
  state.endedBecause = null;
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token, expiresAt } satisfies StoredSession));
  notify();
}

export function endSession(reason: SignOutReason): void {
  if (state.token === null) return;
  state.token = null;
  state.expiresAt = null;
  state.endedBecause = reason;
  sessionStorage.removeItem(TOKEN_KEY);
  notify();
}

export function selectWorkspace(id: string): void {
  state.workspaceId = id;
  localStorage.setItem(WORKSPACE_KEY, id);
}

/** Called when the session starts or ends (the API client rebuilds itself: no cache crosses users). */
export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentToken(): string | null {
  return state.token;
}

export function useSession() {
  return {
    state: readonly(state),
    signedIn: computed(() => state.token !== null),
    workspaceId: computed(() => state.workspaceId),
    signIn,
    endSession,
    selectWorkspace,
  };
}
