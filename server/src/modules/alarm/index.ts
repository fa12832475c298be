export { AlarmChannel } from './alarm-channel.entity.js';
export { AlarmChannelResolver } from './alarm-channel.resolver.js';
export { AlarmChannelService, type ChannelTestResult } from './alarm-channel.service.js';
