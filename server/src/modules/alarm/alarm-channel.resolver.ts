import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { Role } from '../auth/index.js';
import { AlarmChannel } from './alarm-channel.entity.js';
import { AlarmChannelService } from './alarm-channel.service.js';
import {
  AlarmChannelFieldKind,
  AlarmChannelLastTest,
  AlarmChannelTestResult,
  AlarmChannelTypeDefinition,
  CreateAlarmChannelInput,
  TestAlarmChannelConfigInput,
  UpdateAlarmChannelInput,
} from './alarm-channel.types.js';

@Resolver(() => AlarmChannel)
export class AlarmChannelResolver {
  constructor(private readonly service: AlarmChannelService) {}

  @Authorized()
  @Query(() => [AlarmChannelTypeDefinition], {
    description: 'The kinds of alarm channel and their settings (the forms are built from this).',
  })
  alarmChannelTypes(): AlarmChannelTypeDefinition[] {
    return this.service.types().map(({ type, label, fields }) => ({
      type,
      label,
      fields: fields.map(({ check: _check, ...field }) => ({ ...field, kind: field.kind as AlarmChannelFieldKind })),
    }));
  }

  @Authorized(Role.VIEWER)
  @Query(() => [AlarmChannel], { description: 'By name.' })
  alarmChannels(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AlarmChannel[]> {
    return this.service.list(ctx.em(), ctx.auth(), workspaceId);
  }

  @Authorized()
  @Query(() => AlarmChannel)
  alarmChannel(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<AlarmChannel> {
    return this.service.get(ctx.em(), ctx.auth(), id);
  }

  @Authorized(Role.DEVELOPER)
  @Mutation(() => AlarmChannel)
  async createAlarmChannel(
    @Arg('input', () => CreateAlarmChannelInput) input: CreateAlarmChannelInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AlarmChannel> {
    const channel = await this.service.create(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { targetType: 'AlarmChannel', targetId: channel.id });
    return channel;
  }

  @Authorized()
  @Mutation(() => AlarmChannel, { description: 'Needs DEVELOPER in its workspace.' })
  async updateAlarmChannel(
    @Arg('input', () => UpdateAlarmChannelInput) input: UpdateAlarmChannelInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AlarmChannel> {
    const channel = await this.service.update(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { workspaceId: channel.workspaceId, targetType: 'AlarmChannel', targetId: channel.id });
    return channel;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Needs DEVELOPER.' })
  async deleteAlarmChannel(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const channel = await this.service.delete(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: channel.workspaceId, targetType: 'AlarmChannel', targetId: id });
    return true;
  }

  @Authorized()
  @Mutation(() => AlarmChannelTestResult, {
    description:
      'Sends a test notification with the saved settings and keeps the outcome (`lastTest`). Needs OPERATOR.',
  })
  async testAlarmChannel(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<AlarmChannelTestResult> {
    const result = await this.service.test(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { targetType: 'AlarmChannel', targetId: id });
    return result;
  }

  @Authorized(Role.DEVELOPER)
  @Mutation(() => AlarmChannelTestResult, { description: 'Sends a test notification with settings not saved yet.' })
  testAlarmChannelConfig(
    @Arg('input', () => TestAlarmChannelConfigInput) input: TestAlarmChannelConfigInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AlarmChannelTestResult> {
    return this.service.testConfig(ctx.em(), ctx.auth(), input);
  }

  @FieldResolver(() => AlarmChannelLastTest, {
    nullable: true,
    description: 'The last testAlarmChannel of the saved settings; null when never tested or since they changed.',
  })
  lastTest(@Root() channel: AlarmChannel): AlarmChannelLastTest | null {
    if (!channel.lastTestedAt || channel.lastTestOk === null) return null;
    return {
      ok: channel.lastTestOk,
      testedAt: channel.lastTestedAt,
      status: channel.lastTestStatus,
      message: channel.lastTestMessage,
    };
  }
}
