import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  renderDingTalkMessage,
  renderEmail,
  renderFeishuMessage,
  renderSlackMessage,
  renderWebhookPayload,
  renderWeComMessage,
  type AlarmGroupItem,
  type AlarmMessage,
} from './message.js';
import { fitBlocks, truncateBytes, truncateChars, utf8Length } from './text.js';

function alarm(overrides: Partial<AlarmMessage> = {}): AlarmMessage {
  return {
    kind: 'FIRING',
    severity: 'CRITICAL',
    title: 'Task orders-sync failed',
    summary: 'Run #42 failed after 3 attempts.\nLast error: connection reset by peer.',
    fields: [
      { label: 'Task', value: 'orders-sync' },
      { label: 'Run', value: '42' },
    ],
    alarmId: 'a1b2c3',
    ruleName: 'run failed',
    workspace: 'analytics',
    links: { dashboardUrl: 'https://sluice.example.com/alarms/a1b2c3' },
    occurredAt: new Date('2026-03-01T08:30:00Z'),
    ...overrides,
  };
}

/** A JavaScript string with a lone surrogate would be sent as U+FFFD: a cut mid-character. */
const hasLoneSurrogate = (text: string): boolean =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

const huge = (): AlarmMessage =>
  alarm({
    title: '同步任务失败 '.repeat(100),
    summary: '数据库连接被重置 😱 '.repeat(2000),
    fields: Array.from({ length: 40 }, (_, i) => ({ label: `字段 ${i}`, value: '值'.repeat(3000) })),
    group: Array.from({ length: 60 }, (_, i): AlarmGroupItem => ({
      alarmId: `g${i}`,
      kind: 'FIRING',
      severity: 'WARNING',
      title: `任务 ${i} 延迟 🐢`.repeat(20),
      occurredAt: new Date('2026-03-01T08:00:00Z'),
      url: `https://sluice.example.com/alarms/g${i}`,
    })),
  });

describe('text helpers', () => {
  it('cuts by code point and by UTF-8 byte, never inside a character', () => {
    expect(truncateChars('abcdef', 4)).toBe('abc…');
    expect(truncateChars('abc', 3)).toBe('abc');
    expect(truncateChars('😀😀😀😀', 3)).toBe('😀😀…');
    const cut = truncateBytes('ab😀cd', 6);
    expect(utf8Length(cut)).toBeLessThanOrEqual(6);
    expect(hasLoneSurrogate(cut)).toBe(false);
    expect(cut).toBe('ab…');
  });

  it('fits whole blocks and marks the cut', () => {
    expect(fitBlocks(['aaaa', 'bbbb', 'cccc'], '\n', 12, '…')).toBe('aaaa\n…');
    expect(fitBlocks(['aaaa', 'bbbb'], '\n', 9, '…')).toBe('aaaa\nbbbb');
  });
});

describe('alarm message rendering', () => {
  it('renders the generic webhook JSON with ISO times and nothing escaped', () => {
    const payload = renderWebhookPayload(alarm({ title: 'a *b* <c>' }));
    expect(payload).toEqual({
      version: 1,
      source: 'sluice',
      kind: 'FIRING',
      severity: 'CRITICAL',
      title: 'a *b* <c>',
      summary: 'Run #42 failed after 3 attempts.\nLast error: connection reset by peer.',
      fields: [
        { label: 'Task', value: 'orders-sync' },
        { label: 'Run', value: '42' },
      ],
      alarmId: 'a1b2c3',
      ruleName: 'run failed',
      workspace: 'analytics',
      links: { dashboardUrl: 'https://sluice.example.com/alarms/a1b2c3' },
      occurredAt: '2026-03-01T08:30:00.000Z',
    });
  });

  it('escapes markdown in DingTalk and WeCom so task names cannot inject links or markup', () => {
    const message = alarm({
      title: 'Task *prod* [click](https://evil.example) <b>x</b>',
      fields: [{ label: 'Task_name', value: '`rm -rf` | # heading' }],
    });
    const { text, title } = renderDingTalkMessage(message).markdown;
    expect(text).toContain('### 🔴 Task \\*prod\\* \\[click](https://evil.example) \\<b>x\\</b>');
    expect(text).toContain('- **Task\\_name:** \\`rm -rf\\` | # heading');
    expect(text).toContain('[Open in Sluice](https://sluice.example.com/alarms/a1b2c3)');
    expect(title).toBe('[Firing · Critical] Task *prod* [click](https://evil.example) <b>x</b>');
    const content = renderWeComMessage(message).markdown.content;
    expect(content).toContain('\\[click]');
    expect(content).toContain('**Firing** · Severity: <font color="warning">Critical</font>');
    expect(renderWeComMessage(alarm({ kind: 'RESOLVED' })).markdown.content).toContain('<font color="info">');
  });

  it('keeps DingTalk and WeCom markdown within 4096 bytes, cutting whole blocks', () => {
    for (const text of [renderDingTalkMessage(huge()).markdown.text, renderWeComMessage(huge()).markdown.content]) {
      expect(utf8Length(text)).toBeLessThanOrEqual(LIMITS.markdownBytes);
      expect(utf8Length(text)).toBeGreaterThan(LIMITS.markdownBytes - 1500);
      expect(text).toContain('*…truncated*\n\n###### Sluice · rule run failed');
      expect(hasLoneSurrogate(text)).toBe(false);
    }
  });

  it('builds Slack Block Kit within its per-block limits, escaping &, < and >', () => {
    const message = renderSlackMessage(
      alarm({
        title: 'Lag > 5m & rising',
        fields: Array.from({ length: 13 }, (_, i) => ({ label: `f${i}`, value: '<v>' })),
      }),
    );
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '🔴 [Firing · Critical] Lag > 5m & rising' },
    });
    expect(message.blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Run #42 failed after 3 attempts.\nLast error: connection reset by peer.' },
    });
    const fieldSections = message.blocks.filter((b) => b.type === 'section' && b.fields);
    expect(fieldSections.map((b) => (b.type === 'section' ? b.fields?.length : 0))).toEqual([10, 3]);
    expect(fieldSections[0]?.type === 'section' && fieldSections[0].fields?.[0]).toEqual({
      type: 'mrkdwn',
      text: '*f0*\n&lt;v&gt;',
    });
    expect(message.text).toBe(
      '[Firing · Critical] Lag &gt; 5m &amp; rising: Run #42 failed after 3 attempts. Last error: connection reset by peer.',
    );
    const context = message.blocks.at(-1);
    expect(context).toEqual({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'Sluice · rule run failed · workspace analytics · 2026-03-01 08:30:00 UTC' },
        { type: 'mrkdwn', text: '<https://sluice.example.com/alarms/a1b2c3|Open in Sluice>' },
      ],
    });

    const big = renderSlackMessage(huge());
    expect(big.text.length).toBeLessThanOrEqual(LIMITS.slackText);
    expect(big.blocks.length).toBeLessThanOrEqual(LIMITS.slackBlocks);
    for (const block of big.blocks) {
      if (block.type === 'header') expect(Array.from(block.text.text).length).toBeLessThanOrEqual(LIMITS.slackHeader);
      if (block.type === 'section') {
        if (block.text) expect(Array.from(block.text.text).length).toBeLessThanOrEqual(LIMITS.slackSection);
        for (const field of block.fields ?? []) {
          expect(Array.from(field.text).length).toBeLessThanOrEqual(LIMITS.slackField);
        }
        expect((block.fields ?? []).length).toBeLessThanOrEqual(LIMITS.slackFieldsPerSection);
      }
    }
  });

  it('summarises a group of alarms, linking each and counting the rest', () => {
    const group = huge().group!;
    const slack = renderSlackMessage(alarm({ group }));
    const list = slack.blocks.find((b) => b.type === 'section' && b.text?.text.includes('more'));
    const lines = list?.type === 'section' ? list.text!.text.split('\n') : [];
    const more = /^…and (\d+) more$/.exec(lines.at(-1) ?? '');
    expect(lines.length - 1 + Number(more?.[1])).toBe(60);
    expect(lines[0]).toMatch(/^🟠 <https:\/\/sluice\.example\.com\/alarms\/g0\|任务 0 延迟 🐢/);
    expect(slack.blocks[0]!.type === 'header' && slack.blocks[0]!.text.text).toContain('(+59 more)');
    const email = renderEmail(alarm({ group: group.slice(0, 2) }));
    expect(email.html).toContain('<a href="https://sluice.example.com/alarms/g0">');
    expect(email.text).toContain('<https://sluice.example.com/alarms/g1>');
  });

  it('drops links that are not http(s)', () => {
    const message = alarm({ links: { dashboardUrl: 'javascript:alert(1)' } });
    expect(renderDingTalkMessage(message).markdown.text).not.toContain('javascript');
    expect(JSON.stringify(renderSlackMessage(message))).not.toContain('javascript');
    expect(renderEmail(message).html).not.toContain('javascript');
    expect(JSON.stringify(renderFeishuMessage(message))).not.toContain('javascript');
  });

  it('puts alarm text only in plain-text Feishu elements, within the 20 KB body limit', () => {
    const card = renderFeishuMessage(alarm({ title: '**bold** <at id=all></at>' }));
    expect(card.msg_type).toBe('interactive');
    const json = JSON.stringify(card);
    expect(json).not.toContain('lark_md');
    expect(card).toMatchObject({
      card: {
        header: {
          title: { tag: 'plain_text', content: '🔴 [Firing · Critical] **bold** <at id=all></at>' },
          template: 'red',
        },
      },
    });
    const post = renderFeishuMessage(alarm(), 'POST');
    expect(post).toMatchObject({
      msg_type: 'post',
      content: { post: { zh_cn: { title: '🔴 [Firing · Critical] Task orders-sync failed' } } },
    });
    for (const format of ['INTERACTIVE', 'POST'] as const) {
      expect(utf8Length(JSON.stringify(renderFeishuMessage(huge(), format)))).toBeLessThanOrEqual(
        LIMITS.feishuBodyBytes,
      );
    }
  });

  it('escapes HTML in e-mails and keeps the subject to one line', () => {
    const email = renderEmail(
      alarm({ title: 'Lag <script>alert(1)</script>\r\nBcc: x@y', kind: 'RESOLVED', severity: 'WARNING' }),
    );
    expect(email.subject).toBe('[Resolved · Warning] Lag <script>alert(1)</script> Bcc: x@y');
    expect(email.html).toContain('Lag &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).not.toContain('<script>');
    expect(email.text).toContain('Task: orders-sync');
    expect(email.text).toContain('Open in Sluice: https://sluice.example.com/alarms/a1b2c3');
  });
});
