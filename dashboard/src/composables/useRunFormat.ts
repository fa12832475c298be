import { useI18n } from 'vue-i18n';

// Decimal units (kB = 1000 B): chart axes then get round ticks (100 kB, 200 kB), not 97.7 KB.
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/**
 * Numbers of the runs pages in the current language: counts (compact on axes, exact in totals),
 * bytes (decimal units) and durations ("1 h 2 min", "3.4 s").
 */
export function useRunFormat() {
  const { t, locale } = useI18n();
  return {
    count(n: number, exact = false): string {
      return new Intl.NumberFormat(locale.value, exact ? {} : { notation: 'compact', maximumFractionDigits: 1 }).format(
        Math.round(n),
      );
    },
    bytes(n: number): string {
      let value = n;
      let unit = 0;
      while (Math.abs(value) >= 1000 && unit < UNITS.length - 1) {
        value /= 1000;
        unit++;
      }
      return `${value.toFixed(unit === 0 || value >= 100 ? 0 : 1)} ${UNITS[unit]}`;
    },
    duration(ms: number): string {
      if (ms < 0) ms = 0;
      if (ms < 10_000) return t('runs.duration.seconds', { n: (ms / 1000).toFixed(1) });
      const s = Math.floor(ms / 1000);
      if (s < 60) return t('runs.duration.seconds', { n: s });
      if (s < 3600) return t('runs.duration.minutes', { m: Math.floor(s / 60), s: s % 60 });
      return t('runs.duration.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
    },
  };
}
