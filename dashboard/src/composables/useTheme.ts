import { usePreferredDark } from '@vueuse/core';
import { computed, ref, watch } from 'vue';

export type ThemeChoice = 'light' | 'dark' | 'auto';
const THEME_KEY = 'sluice.theme';

function stored(): ThemeChoice {
  const value = localStorage.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'auto';
}

const choice = ref<ThemeChoice>(stored());
const prefersDark = usePreferredDark();
const isDark = computed(() => (choice.value === 'auto' ? prefersDark.value : choice.value === 'dark'));

watch(
  isDark,
  (dark) => {
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  },
  { immediate: true },
);

/** Light, dark or the system's choice, remembered per browser. */
export function useTheme() {
  return {
    choice,
    isDark,
    setTheme(value: ThemeChoice) {
      choice.value = value;
      localStorage.setItem(THEME_KEY, value);
    },
  };
}
