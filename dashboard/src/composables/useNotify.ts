import type { CombinedError } from '@urql/core';
import { useMessage } from 'naive-ui';
import { i18n } from '@/i18n';

export interface ErrorInfo {
  code: string;
  /** The localized meaning of the code. */
  title: string;
  /** The server's own message (names the field, line and column where there is one). */
  detail: string;
}

/** What the user is told about a failed request: the code's meaning and the server's words. */
export function describeError(error: CombinedError | Error | null | undefined): ErrorInfo | null {
  if (!error) return null;
  const { t, te } = { t: (key: string) => i18n.global.t(key), te: (key: string) => i18n.global.te(key) };
  const combined = error as Partial<CombinedError>;
  if (combined.networkError) {
    return { code: 'NETWORK', title: t('errors.NETWORK'), detail: combined.networkError.message };
  }
  const first = combined.graphQLErrors?.[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'UNKNOWN';
  const key = `errors.${code}`;
  return {
    code,
    title: te(key) ? t(key) : t('errors.UNKNOWN'),
    detail: first?.message ?? error.message,
  };
}

/** Every action reports its outcome: success briefly, an error with its code's meaning and the detail. */
export function useNotify() {
  const message = useMessage();
  return {
    success(text: string) {
      message.success(text, { duration: 2_500 });
    },
    error(error: CombinedError | Error | null | undefined) {
      const info = describeError(error);
      if (!info) return;
      message.error(info.detail && info.detail !== info.title ? `${info.title} ${info.detail}` : info.title, {
        duration: 6_000,
        closable: true,
      });
    },
  };
}
