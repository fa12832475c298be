import { syntaxHighlighting } from '@codemirror/language';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useThemeVars } from 'naive-ui';
import { computed, type ComputedRef } from 'vue';
import { useI18n } from 'vue-i18n';
import { useTheme } from '@/composables/useTheme';
import enMessages from '@/i18n/en/tasks';
import { hoconHighlightStyle } from './hocon-language';

/**
 * The editors' look (text editor and version diff), from the current Naive UI theme's variables:
 * switching light/dark reconfigures the editors instead of rebuilding them.
 */
export function useEditorTheme(): ComputedRef<Extension> {
  const vars = useThemeVars();
  const { isDark } = useTheme();
  const i18n = useI18n();
  return computed(() => {
    // CodeMirror's own words (search panel, folds, folded diff lines) in the current language.
    const phrases = Object.fromEntries(
      Object.keys(enMessages.codemirror).map((key) => [key.replaceAll('_', ' '), i18n.t(`tasks.codemirror.${key}`)]),
    );
    const v = vars.value;
    const dark = isDark.value;
    const tint = (color: string, percent: number) => `color-mix(in srgb, ${color} ${percent}%, transparent)`;
    return [
      EditorState.phrases.of(phrases),
      EditorView.theme(
        {
          '&': {
            color: v.textColor2,
            backgroundColor: v.inputColor,
            fontSize: '13px',
            height: '100%',
            border: `1px solid ${v.borderColor}`,
            borderRadius: v.borderRadius,
          },
          '&.cm-focused': { outline: 'none', borderColor: v.primaryColor },
          '.cm-scroller': { fontFamily: v.fontFamilyMono, lineHeight: '1.55' },
          '.cm-content': { caretColor: v.primaryColor },
          '.cm-cursor, .cm-dropCursor': { borderLeftColor: v.primaryColor },
          '.cm-gutters': {
            backgroundColor: v.actionColor,
            color: v.textColor3,
            borderRight: `1px solid ${v.dividerColor}`,
          },
          '.cm-activeLine': { backgroundColor: tint(v.primaryColor, 6) },
          '.cm-activeLineGutter': { backgroundColor: tint(v.primaryColor, 12), color: v.textColor2 },
          '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
            { backgroundColor: tint(v.primaryColor, dark ? 35 : 22) },
          '.cm-matchingBracket, &.cm-focused .cm-matchingBracket': {
            backgroundColor: tint(v.successColor, 25),
            outline: `1px solid ${tint(v.successColor, 60)}`,
          },
          '.cm-nonmatchingBracket': { backgroundColor: tint(v.errorColor, 25) },
          '.cm-searchMatch': { backgroundColor: tint(v.warningColor, 30) },
          '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: tint(v.warningColor, 60) },
          '.cm-selectionMatch': { backgroundColor: tint(v.infoColor, 18) },
          '.cm-panels': { backgroundColor: v.actionColor, color: v.textColor2 },
          '.cm-panels.cm-panels-top': { borderBottom: `1px solid ${v.dividerColor}` },
          '.cm-panel input, .cm-panel button': { fontSize: '12px' },
          '.cm-textfield': {
            backgroundColor: v.inputColor,
            color: v.textColor2,
            border: `1px solid ${v.borderColor}`,
            borderRadius: v.borderRadius,
          },
          '.cm-button': {
            backgroundImage: 'none',
            backgroundColor: v.actionColor,
            color: v.textColor2,
            border: `1px solid ${v.borderColor}`,
            borderRadius: v.borderRadius,
          },
          '.cm-tooltip': {
            backgroundColor: v.popoverColor,
            color: v.textColor2,
            border: `1px solid ${v.dividerColor}`,
            borderRadius: v.borderRadius,
          },
          '.cm-tooltip-autocomplete > ul > li[aria-selected]': {
            backgroundColor: tint(v.primaryColor, dark ? 40 : 18),
            color: v.textColor1,
          },
          '.cm-completionDetail': { color: v.textColor3, marginLeft: '8px', fontStyle: 'normal' },
          '.cm-tooltip.cm-completionInfo': { maxWidth: '360px', padding: '6px 8px' },
          '.cm-foldPlaceholder': { backgroundColor: v.actionColor, border: 'none', color: v.textColor3 },
          '.cm-collapsedLines': { color: v.textColor3, background: v.actionColor },
          // The default marker (⦚) is missing from common fonts.
          '.cm-collapsedLines:before': { content: '"↕"' },
          '.cm-collapsedLines:after': { content: '""' },
          '.cm-changedLine': { backgroundColor: tint(v.warningColor, 10) },
          '.cm-deletedChunk': { backgroundColor: tint(v.errorColor, 12) },
          '.cm-merge-a .cm-changedLine, .cm-merge-a .cm-changedText': { backgroundColor: tint(v.errorColor, 14) },
          '.cm-merge-b .cm-changedLine, .cm-merge-b .cm-changedText': { backgroundColor: tint(v.successColor, 14) },
        },
        { dark },
      ),
      syntaxHighlighting(
        hoconHighlightStyle({
          key: v.infoColor,
          string: v.successColor,
          number: v.warningColor,
          atom: v.primaryColor,
          variable: dark ? '#d2a8ff' : '#8250df',
          comment: v.textColor3,
          punctuation: v.textColor2,
          invalid: v.errorColor,
        }),
      ),
    ];
  });
}
