import { describe, expect, it } from 'vitest';
import { backoffMs } from './alarm-deliverer.js';
import { ruleMatchesTask } from './alarm-evaluator.js';

describe('ruleMatchesTask', () => {
  it('takes every task when the rule lists neither tasks nor tags', () => {
    expect(ruleMatchesTask({ taskIds: [], tags: [] }, 't1', [])).toBe(true);
  });

  it('takes a listed task, or a task with any listed tag', () => {
    const rule = { taskIds: ['t1'], tags: ['orders', 'billing'] };
    expect(ruleMatchesTask(rule, 't1', [])).toBe(true);
    expect(ruleMatchesTask(rule, 't2', ['billing'])).toBe(true);
    expect(ruleMatchesTask(rule, 't2', ['other'])).toBe(false);
    expect(ruleMatchesTask({ taskIds: [], tags: ['orders'] }, 't3', [])).toBe(false);
  });
});

describe('backoffMs', () => {
  it('doubles from the base after each failed attempt, at most 10 minutes', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 10_000))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(backoffMs(7, 10_000)).toBe(600_000);
  });
});
