import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../errors.js';

/**
 * Failed logins, counted per account and per client address in PostgreSQL (so every instance
 * sees the same counts). Past a threshold each further failure blocks the key for twice as long
 * as the previous one, up to 15 minutes; a quiet quarter of an hour forgets the failures.
 * The answer never says whether the account exists.
 */
export const THROTTLE = {
  account: { threshold: 5 },
  address: { threshold: 20 },
  maxBlockSeconds: 900,
  forgetAfterSeconds: 900,
};

export interface ThrottleKeys {
  account: string;
  address: string;
}

export const throttleKeys = (login: string, address: string): ThrottleKeys => ({
  account: `account:${login.trim().toLowerCase()}`,
  address: `address:${address}`,
});

export class LoginThrottle {
  /** Throws RATE_LIMITED with `retryAfterSeconds` while either key is blocked. */
  async check(em: EntityManager, keys: ThrottleKeys): Promise<void> {
    const [row] = await em.getConnection().execute<{ wait: string | null }[]>(
      `SELECT ceil(extract(epoch FROM max(blocked_until) - now())) AS wait FROM login_throttle
         WHERE key IN (?, ?) AND blocked_until > now()`,
      [keys.account, keys.address],
    );
    if (row?.wait != null) {
      const retryAfterSeconds = Math.max(1, Number(row.wait));
      throw new AppError('RATE_LIMITED', `Too many failed logins: try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
  }

  async fail(em: EntityManager, keys: ThrottleKeys): Promise<void> {
    const conn = em.getConnection();
    for (const [key, { threshold }] of [
      [keys.account, THROTTLE.account],
      [keys.address, THROTTLE.address],
    ] as const) {
      await conn.execute(
        `INSERT INTO login_throttle AS t (key, failures, last_failure_at) VALUES (?, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.last_failure_at < now() - ? * interval '1 second' THEN 1 ELSE t.failures + 1 END,
           last_failure_at = now()`,
        [key, THROTTLE.forgetAfterSeconds],
      );
      await conn.execute(
        `UPDATE login_throttle SET blocked_until = now() + least(power(2, failures - ?), ?) * interval '1 second'
         WHERE key = ? AND failures >= ?`,
        [threshold, THROTTLE.maxBlockSeconds, key, threshold],
      );
    }
    await conn.execute(`DELETE FROM login_throttle WHERE last_failure_at < now() - interval '1 day'`);
  }

  async reset(em: EntityManager, key: string): Promise<void> {
    await em.getConnection().execute('DELETE FROM login_throttle WHERE key = ?', [key]);
  }
}
