import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../errors.js';
import {
  CHANNEL_FIELDS,
  ChannelType,
  parseChannelConfig,
  parseChannelType,
  secretFieldNames,
  validateChannelConfig,
} from './channel-types.js';

function problems(run: () => unknown): {
  field: unknown;
  message: string;
  fields: { field: string; message: string }[];
} {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(UserInputError);
    const error = e as UserInputError;
    return {
      field: error.extensions.field,
      message: error.message,
      fields: (error.extensions.fields as { field: string; message: string }[]) ?? [],
    };
  }
  throw new Error('the config was accepted');
}

describe('channel config validation', () => {
  it('splits a webhook config into public settings and secrets, with defaults applied', () => {
    const result = validateChannelConfig(ChannelType.WEBHOOK, {
      url: ' https://hooks.example.com/in/abc123 ',
      headers: { Authorization: 'Bearer t0ken' },
      hmacSecret: 's3cret',
    });
    expect(result).toEqual({
      settings: { method: 'POST', timeoutMs: 10_000 },
      setSecrets: {
        url: 'https://hooks.example.com/in/abc123',
        headers: { Authorization: 'Bearer t0ken' },
        hmacSecret: 's3cret',
      },
      clearSecrets: [],
    });
  });

  it('declares webhook URLs, header values, signing secrets and the SMTP password secret, nothing else', () => {
    expect(secretFieldNames(ChannelType.WEBHOOK)).toEqual(['url', 'headers', 'hmacSecret']);
    expect(secretFieldNames(ChannelType.SLACK)).toEqual(['url']);
    expect(secretFieldNames(ChannelType.DINGTALK)).toEqual(['url', 'signingSecret']);
    expect(secretFieldNames(ChannelType.FEISHU)).toEqual(['url', 'signingSecret']);
    expect(secretFieldNames(ChannelType.WECOM)).toEqual(['url']);
    expect(secretFieldNames(ChannelType.EMAIL)).toEqual(['password']);
    for (const type of Object.values(ChannelType)) expect(CHANNEL_FIELDS[type].length).toBeGreaterThan(0);
  });

  it('names the field of every problem, all at once', () => {
    const result = problems(() =>
      validateChannelConfig(ChannelType.WEBHOOK, { url: 'ftp://x.example.com/drop', method: 'GET', colour: 'red' }),
    );
    expect(result.fields).toEqual([
      { field: 'colour', message: expect.stringContaining('colour is not a WEBHOOK setting') },
      { field: 'url', message: 'url must be an http(s) URL' },
      { field: 'method', message: 'method must be one of POST, PUT' },
    ]);
    expect(result.field).toBe('colour');
  });

  it('requires at least one e-mail recipient and checks each address', () => {
    const base = { host: 'smtp.example.com', from: 'Sluice <sluice@example.com>' };
    expect(problems(() => validateChannelConfig(ChannelType.EMAIL, { ...base, to: [] })).message).toBe(
      'to must list at least one address',
    );
    expect(problems(() => validateChannelConfig(ChannelType.EMAIL, base)).message).toBe(
      'to must list at least one address',
    );
    const bad = problems(() =>
      validateChannelConfig(ChannelType.EMAIL, { ...base, to: ['ops@example.com', 'nobody'] }),
    );
    expect(bad).toMatchObject({ field: 'to', message: 'to has an invalid address: "nobody"' });
    const injected = problems(() =>
      validateChannelConfig(ChannelType.EMAIL, {
        ...base,
        from: 'x@example.com\r\nBcc: all@example.com',
        to: 'a@b.io',
      }),
    );
    expect(injected.field).toBe('from');
  });

  it('accepts recipients as a comma-separated string and drops duplicates', () => {
    const { settings } = validateChannelConfig(ChannelType.EMAIL, {
      host: 'smtp.example.com',
      from: 'sluice@example.com',
      to: 'a@example.com, Ops Team <ops@example.com>;a@example.com',
      cc: [],
    });
    expect(settings).toEqual({
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      requireTLS: false,
      from: 'sluice@example.com',
      to: ['a@example.com', 'Ops Team <ops@example.com>'],
      timeoutMs: 10_000,
    });
  });

  it('keeps stored secrets when absent, clears them on null, and requires a missing URL', () => {
    expect(validateChannelConfig(ChannelType.DINGTALK, {}, { storedSecrets: ['url', 'signingSecret'] })).toEqual({
      settings: { timeoutMs: 10_000 },
      setSecrets: {},
      clearSecrets: [],
    });
    expect(
      validateChannelConfig(ChannelType.DINGTALK, { signingSecret: null }, { storedSecrets: ['url', 'signingSecret'] })
        .clearSecrets,
    ).toEqual(['signingSecret']);
    expect(problems(() => validateChannelConfig(ChannelType.DINGTALK, {})).message).toBe('url is required');
    expect(
      problems(() => validateChannelConfig(ChannelType.DINGTALK, { url: null }, { storedSecrets: ['url'] })).message,
    ).toBe('url is required');
  });

  it('checks that robot URLs carry their token parameter', () => {
    expect(
      problems(() => validateChannelConfig(ChannelType.DINGTALK, { url: 'https://oapi.dingtalk.com/robot/send' }))
        .message,
    ).toBe('url must be a DingTalk robot webhook URL with its access_token parameter');
    expect(
      problems(() =>
        validateChannelConfig(ChannelType.WECOM, { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' }),
      ).message,
    ).toBe('url must be a WeCom robot webhook URL with its key parameter');
  });

  it('refuses headers Sluice sets or that could inject, never quoting a header value', () => {
    const reserved = problems(() =>
      validateChannelConfig(ChannelType.WEBHOOK, {
        url: 'https://x.example.com',
        headers: { 'X-Sluice-Signature': 'v' },
      }),
    );
    expect(reserved.message).toBe('headers cannot set X-Sluice-Signature: Sluice sets it');
    const injected = problems(() =>
      validateChannelConfig(ChannelType.WEBHOOK, {
        url: 'https://x.example.com',
        headers: { Authorization: 'Bearer top-secret\r\nX-Evil: 1' },
      }),
    );
    expect(injected.message).toBe('headers has an invalid value for Authorization: it must be a one-line string');
    expect(injected.message).not.toContain('top-secret');
    expect(
      problems(() =>
        validateChannelConfig(ChannelType.WEBHOOK, { url: 'https://x.example.com', headers: { 'a b': 'v' } }),
      ).field,
    ).toBe('headers');
  });

  it('never quotes a secret in a problem', () => {
    const result = problems(() =>
      validateChannelConfig(ChannelType.SLACK, { url: 'hooks.slack.com/services/T0/B0/very-secret-token' }),
    );
    expect(result.message).toBe('url must be an http(s) URL');
  });

  it('prefixes fields when asked, as a service validating `input.config` would', () => {
    const result = problems(() =>
      validateChannelConfig(ChannelType.SLACK, { url: 'nope' }, { fieldPrefix: 'config.' }),
    );
    expect(result).toMatchObject({ field: 'config.url', message: 'config.url must be an http(s) URL' });
  });

  it('pairs SMTP username and password, and refuses STARTTLS rules on a TLS connection', () => {
    const base = { host: 'smtp.example.com', from: 'a@example.com', to: ['b@example.com'] };
    expect(problems(() => validateChannelConfig(ChannelType.EMAIL, { ...base, username: 'u' })).message).toBe(
      'password is required when a username is set',
    );
    expect(
      validateChannelConfig(ChannelType.EMAIL, { ...base, username: 'u' }, { storedSecrets: ['password'] }).settings
        .username,
    ).toBe('u');
    expect(problems(() => validateChannelConfig(ChannelType.EMAIL, { ...base, password: 'p4ss' })).message).toBe(
      'username is required when a password is set',
    );
    expect(
      problems(() => validateChannelConfig(ChannelType.EMAIL, { ...base, secure: true, requireTLS: true })).field,
    ).toBe('requireTLS');
    expect(problems(() => validateChannelConfig(ChannelType.EMAIL, { ...base, port: 70_000 })).message).toBe(
      'port must be at most 65535',
    );
  });

  it('parses a stored config into its typed form', () => {
    expect(
      parseChannelConfig(
        ChannelType.FEISHU,
        { messageFormat: 'POST', timeoutMs: 5000 },
        { url: 'https://open.feishu.cn/open-apis/bot/v2/hook/abc', signingSecret: 'sec' },
      ),
    ).toEqual({
      type: ChannelType.FEISHU,
      url: 'https://open.feishu.cn/open-apis/bot/v2/hook/abc',
      signingSecret: 'sec',
      messageFormat: 'POST',
      timeoutMs: 5000,
    });
    expect(() => parseChannelConfig(ChannelType.WECOM, {}, {})).toThrow('url is required');
  });

  it('names the known types when given an unknown one', () => {
    expect(parseChannelType('SLACK')).toBe(ChannelType.SLACK);
    expect(problems(() => parseChannelType('TEAMS'))).toMatchObject({
      field: 'type',
      message: 'Unknown channel type TEAMS; known: WEBHOOK, SLACK, DINGTALK, FEISHU, WECOM, EMAIL',
    });
  });
});
