// Small formatting helpers of the committees' desk.
export function labelOf(labels: Record<string, string> | undefined, locale: string): string {
  if (!labels) return ''
  return labels[locale] ?? labels['zh-CN'] ?? Object.values(labels)[0] ?? ''
}

export function ageInDays(at: string, now = Date.now()): number {
  return Math.max(0, Math.floor((now - new Date(at).getTime()) / 86_400_000))
}

/** No shortcut fires while the person types in a field. */
export function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  if (!el) return false
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)
}
