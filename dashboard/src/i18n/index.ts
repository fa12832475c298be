import { createI18n } from 'vue-i18n';
import enCommon from './en/common';
import enDatasources from './en/datasources';
import enRuns from './en/runs';
import enTasks from './en/tasks';
import zhCommon from './zh-CN/common';
import zhDatasources from './zh-CN/datasources';
import zhRuns from './zh-CN/runs';
import zhTasks from './zh-CN/tasks';

// One file per area and language, so the pages' messages live beside each other; every zh-CN file
// `satisfies` its English twin, so a missing translation fails the type check.
const en = { ...enCommon, datasources: enDatasources, tasks: enTasks, runs: enRuns };
const zhCN = { ...zhCommon, datasources: zhDatasources, tasks: zhTasks, runs: zhRuns } satisfies typeof en;

export type Locale = 'en' | 'zh-CN';
export const LOCALES: { value: Locale; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'zh-CN', label: '简体中文' },
];

const LOCALE_KEY = 'sluice.locale';

function initialLocale(): Locale {
  const stored = localStorage.getItem(LOCALE_KEY);
  if (stored === 'en' || stored === 'zh-CN') return stored;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const i18n = createI18n<[typeof en], Locale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
});

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(LOCALE_KEY, locale);
  document.documentElement.lang = locale;
}
