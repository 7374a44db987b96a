import { createI18n } from 'vue-i18n'
import { Locale } from 'vant'
import vantZh from 'vant/es/locale/lang/zh-CN'
import vantEn from 'vant/es/locale/lang/en-US'
import zh from './locales/zh-CN'
import en from './locales/en'
import { deskMessages } from './desks/messages'

export type Language = 'zh-CN' | 'en'

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': { ...zh, ...deskMessages('zh-CN') }, en: { ...en, ...deskMessages('en') } },
})

export function setLanguage(language: Language): void {
  i18n.global.locale.value = language
  Locale.use(language === 'en' ? 'en-US' : 'zh-CN', language === 'en' ? vantEn : vantZh)
  document.documentElement.lang = language
  document.title = language === 'en' ? 'Linli · Meihu community' : '邻里 · 美湖社区'
}

export function currentLanguage(): Language {
  return i18n.global.locale.value as Language
}

/** A label the API gives in both languages ({"zh-CN": …, "en": …}), in the current one. */
export function labelOf(labels: Record<string, string> | undefined | null): string {
  if (!labels) return ''
  return labels[currentLanguage()] ?? labels['zh-CN'] ?? Object.values(labels)[0] ?? ''
}

export function formatTime(iso: string): string {
  return new Intl.DateTimeFormat(currentLanguage(), {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Asia/Shanghai',
  }).format(new Date(iso))
}
