import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, NotFoundError, UserInputError } from '../../errors.js';
import { sameJson } from '../../json.js';
import type { Logger } from '../../logger.js';
import type { SealedColumn } from '../../secrets/reseal.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { flushUnique } from '../../database/sql.js';
import { Role, Workspace, type Principal } from '../auth/index.js';
import { AlarmChannel } from './alarm-channel.entity.js';
import {
  CHANNEL_FIELDS,
  ChannelType,
  sendToChannel,
  validateChannelConfig,
  type AlarmMessage,
  type ChannelFieldDefinition,
  type ChannelSecretValue,
  type DeliveryResult,
  type SendOptions,
} from './channels/index.js';

export interface SaveAlarmChannelInput {
  name?: string;
  config?: Record<string, unknown>;
  description?: string;
  enabled?: boolean;
  maxPerMinute?: number | null;
}

/** A test's outcome as the API reports it; the message is the sender's, secrets masked. */
export interface ChannelTestResult {
  ok: boolean;
  status: number | null;
  message: string | null;
  durationMs: number;
  retryable: boolean;
}

const LABELS: Record<ChannelType, string> = {
  [ChannelType.WEBHOOK]: 'Webhook',
  [ChannelType.SLACK]: 'Slack',
  [ChannelType.DINGTALK]: 'DingTalk',
  [ChannelType.FEISHU]: 'Feishu / Lark',
  [ChannelType.WECOM]: 'WeCom',
  [ChannelType.EMAIL]: 'E-mail (SMTP)',
};

type Secrets = Record<string, ChannelSecretValue>;

const context = (id: string) => `alarm-channel:${id}`;

/** Where alarm channels' secrets are sealed, for `sluice rotate-secret-key`. */
export const ALARM_CHANNEL_SEALED_SECRETS: SealedColumn = {
  label: 'alarm channel secret set',
  table: 'alarm_channel',
  column: 'sealed_secrets',
  context,
};

const CONFIG = 'config.';
const duplicate = (name: string) => `An alarm channel named "${name}" already exists in this workspace`;

/**
 * Alarm channels: CRUD with their secrets sealed like datasource secrets, and test notifications.
 * Editing needs DEVELOPER (as for datasources, which hold credentials too); testing OPERATOR.
 */
export class AlarmChannelService {
  constructor(
    private readonly secretBox: SecretBox | undefined,
    private readonly logger: Logger,
    /** For tests of the delivery itself; production sends with the senders' defaults. */
    private readonly sendOptions: SendOptions = {},
  ) {}

  types(): { type: ChannelType; label: string; fields: readonly ChannelFieldDefinition[] }[] {
    return Object.values(ChannelType).map((type) => ({ type, label: LABELS[type], fields: CHANNEL_FIELDS[type] }));
  }

  async list(em: EntityManager, principal: Principal, workspaceId: string): Promise<AlarmChannel[]> {
    principal.require(workspaceId, Role.VIEWER);
    return em.find(AlarmChannel, { workspaceId }, { orderBy: { name: 'ASC' } });
  }

  /** A channel the caller may read; NOT_FOUND for rows of other workspaces (ids reveal nothing). */
  async get(em: EntityManager, principal: Principal, id: string, minimum: Role = Role.VIEWER): Promise<AlarmChannel> {
    const channel = await em.findOne(AlarmChannel, { id });
    if (!channel || !principal.roleIn(channel.workspaceId)) throw new NotFoundError('AlarmChannel', id);
    principal.require(channel.workspaceId, minimum);
    return channel;
  }

  async create(
    em: EntityManager,
    principal: Principal,
    input: SaveAlarmChannelInput & {
      workspaceId: string;
      name: string;
      type: ChannelType;
      config: Record<string, unknown>;
    },
  ): Promise<AlarmChannel> {
    principal.require(input.workspaceId, Role.DEVELOPER);
    const validated = validateChannelConfig(input.type, input.config, { fieldPrefix: CONFIG });
    const channel = em.create(AlarmChannel, {
      workspaceId: input.workspaceId,
      name: channelName(input.name),
      type: input.type,
      settings: validated.settings,
      description: input.description ?? '',
      enabled: input.enabled ?? true,
      maxPerMinute: input.maxPerMinute ?? null,
      createdById: principal.user.id,
      updatedById: principal.user.id,
    });
    this.storeSecrets(channel, validated.setSecrets);
    await flushUnique(em, duplicate(channel.name), 'name');
    return channel;
  }

  async update(
    em: EntityManager,
    principal: Principal,
    input: SaveAlarmChannelInput & { id: string },
  ): Promise<AlarmChannel> {
    const channel = await this.get(em, principal, input.id, Role.DEVELOPER);
    if (input.config !== undefined) {
      // Checked before anything changes: a bad config leaves the row as it was.
      const validated = validateChannelConfig(channel.type, input.config, {
        storedSecrets: channel.secretNames,
        fieldPrefix: CONFIG,
      });
      const before = await this.secretsOf(em, channel);
      const after = { ...before };
      for (const name of validated.clearSecrets) delete after[name];
      Object.assign(after, validated.setSecrets);
      // The last test was of the old settings: it no longer says anything (saving the same values keeps it).
      if (!sameJson(channel.settings, validated.settings) || !sameJson(before, after)) clearLastTest(channel);
      channel.settings = validated.settings;
      this.storeSecrets(channel, after);
    }
    if (input.name !== undefined) channel.name = channelName(input.name);
    if (input.description !== undefined) channel.description = input.description;
    if (input.enabled !== undefined) channel.enabled = input.enabled;
    if (input.maxPerMinute !== undefined) channel.maxPerMinute = input.maxPerMinute;
    channel.updatedById = principal.user.id;
    await flushUnique(em, duplicate(channel.name), 'name');
    return channel;
  }

  async delete(em: EntityManager, principal: Principal, id: string): Promise<AlarmChannel> {
    const channel = await this.get(em, principal, id, Role.DEVELOPER);
    await em.remove(channel).flush();
    return channel;
  }

  /** Sends a test notification with the saved settings and keeps the outcome on the channel (`lastTest`). */
  async test(em: EntityManager, principal: Principal, id: string): Promise<ChannelTestResult> {
    const channel = await this.get(em, principal, id, Role.OPERATOR);
    const testedAt = new Date();
    const result = await this.send(
      em,
      channel.workspaceId,
      channel.type,
      channel.settings,
      await this.secretsOf(em, channel),
    );
    // A side effect of the test, not an edit: updatedAt stays. Only if the row is still the one
    // tested: settings saved meanwhile cleared the result, and this one is of the old settings.
    await em.nativeUpdate(
      AlarmChannel,
      { id: channel.id, updatedAt: channel.updatedAt },
      { lastTestedAt: testedAt, lastTestOk: result.ok, lastTestStatus: result.status, lastTestMessage: result.message },
    );
    return result;
  }

  /**
   * Tests settings before they are saved. With `channelId`, secrets left out are taken from that
   * channel, so an edit form can test a changed recipient without retyping the password.
   */
  async testConfig(
    em: EntityManager,
    principal: Principal,
    input: { workspaceId: string; type: ChannelType; config: Record<string, unknown>; channelId?: string },
  ): Promise<ChannelTestResult> {
    principal.require(input.workspaceId, Role.DEVELOPER);
    let stored: Secrets = {};
    if (input.channelId) {
      const existing = await this.get(em, principal, input.channelId, Role.DEVELOPER);
      if (existing.workspaceId !== input.workspaceId || existing.type !== input.type) {
        throw new AppError('BAD_USER_INPUT', 'channelId names a channel of another workspace or type', {
          field: 'channelId',
        });
      }
      stored = await this.secretsOf(em, existing);
    }
    const validated = validateChannelConfig(input.type, input.config, {
      storedSecrets: Object.keys(stored),
      fieldPrefix: CONFIG,
    });
    for (const name of validated.clearSecrets) delete stored[name];
    return this.send(em, input.workspaceId, input.type, validated.settings, { ...stored, ...validated.setSecrets });
  }

  private async send(
    em: EntityManager,
    workspaceId: string,
    type: ChannelType,
    settings: Record<string, unknown>,
    secrets: Secrets,
  ): Promise<ChannelTestResult> {
    const workspace = await em.findOne(Workspace, { id: workspaceId }, { fields: ['name'] });
    const delivery = await sendToChannel(type, settings, secrets, testMessage(workspace?.name ?? ''), this.sendOptions);
    // The result is masked by the sender; the log gets the outcome only.
    if (!delivery.ok) this.logger.info({ type, status: delivery.status }, 'alarm channel test failed');
    return toTestResult(delivery);
  }

  /** The decrypted secrets of a channel. Only for code that delivers. */
  async secretsOf(em: EntityManager, channel: AlarmChannel): Promise<Secrets> {
    if (channel.secretNames.length === 0) return {};
    if (channel.sealedSecrets === null || channel.sealedSecrets === undefined) {
      await em.populate(channel, ['sealedSecrets']);
    }
    if (!channel.sealedSecrets) return {};
    return JSON.parse(this.box().open(channel.sealedSecrets, context(channel.id))) as Secrets;
  }

  private storeSecrets(channel: AlarmChannel, secrets: Secrets): void {
    const names = Object.keys(secrets).sort();
    channel.secretNames = names;
    channel.sealedSecrets = names.length > 0 ? this.box().seal(JSON.stringify(secrets), context(channel.id)) : null;
  }

  private box(): SecretBox {
    if (!this.secretBox) {
      throw new AppError(
        'SECRET_KEY_MISSING',
        'Secrets cannot be stored or read: set SLUICE_SECRET_KEY (the same 32-byte key on every instance)',
      );
    }
    return this.secretBox;
  }
}

function channelName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new UserInputError('name must not be blank', { field: 'name' });
  return trimmed;
}

function testMessage(workspace: string): AlarmMessage {
  return {
    kind: 'TEST',
    severity: 'INFO',
    title: 'Test notification from Sluice',
    summary: 'This channel is set up correctly: alarms of this workspace can be delivered here.',
    fields: [{ label: 'Workspace', value: workspace }],
    alarmId: 'test',
    ruleName: 'Channel test',
    workspace,
    occurredAt: new Date(),
  };
}

function toTestResult(delivery: DeliveryResult): ChannelTestResult {
  return {
    ok: delivery.ok,
    status: delivery.status ?? null,
    message: delivery.error ?? delivery.response ?? null,
    durationMs: delivery.durationMs,
    retryable: delivery.retryable,
  };
}

function clearLastTest(channel: AlarmChannel): void {
  channel.lastTestedAt = null;
  channel.lastTestOk = null;
  channel.lastTestStatus = null;
  channel.lastTestMessage = null;
}
