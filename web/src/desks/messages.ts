import committee from './committee/messages'
import council from './council/messages'
import posts from './posts/messages'
import loveBank from './love-bank/messages'
import operators from './operators/messages'

/** Each desk's texts under its own key ($t('committeeDesk.…'), …), so the desks never share a locale file. */
export function deskMessages(language: 'zh-CN' | 'en'): Record<string, unknown> {
  return {
    committeeDesk: committee[language],
    councilDesk: council[language],
    postsDesk: posts[language],
    loveBankDesk: loveBank[language],
    operatorsDesk: operators[language],
  }
}
