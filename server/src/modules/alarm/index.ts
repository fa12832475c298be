export { AlarmChannel } from './alarm-channel.entity.js';
export { AlarmChannelResolver } from './alarm-channel.resolver.js';
export { AlarmChannelService, type ChannelTestResult } from './alarm-channel.service.js';
export { ALARM_CHANNEL_SEALED_SECRETS } from './alarm-channel.service.js';
