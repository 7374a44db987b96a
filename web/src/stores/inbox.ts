import { defineStore } from 'pinia'
import { notifications, unwrap } from '../api/client'
import type { components } from '../api/notifications'
import { serviceUrl } from '../config'
import { useSession } from './session'

export type InboxItem = components['schemas']['InboxItem']

// The inbox and its live stream (notifications' SSE): opened once the person signs in, so Home's
// count and the inbox update without a reload whichever screen is showing.
let source: EventSource | null = null
let openedWith: string | null = null

export const useInbox = defineStore('inbox', {
  state: () => ({ unread: null as number | null, items: [] as InboxItem[], live: false }),
  actions: {
    connect(): void {
      const token = useSession().token
      if (!token || (source !== null && openedWith === token)) return
      source?.close() // a renewed token: the stream reopens with it (its reconnects would send the old one)
      openedWith = token
      // Relative (/api/notifications behind the web image) or absolute (make run): either resolves here.
      const url = new URL(`${serviceUrl('notifications').replace(/\/$/, '')}/inbox/stream`, window.location.href)
      url.searchParams.set('access_token', token)
      source = new EventSource(url)
      source.addEventListener('open', () => (this.live = true))
      source.addEventListener('error', () => (this.live = false)) // EventSource retries by itself
      source.addEventListener('ready', (event) => {
        this.live = true
        this.unread = (JSON.parse((event as MessageEvent<string>).data) as { unread: number }).unread
      })
      source.addEventListener('notification', (event) => {
        const item = JSON.parse((event as MessageEvent<string>).data) as InboxItem
        if (this.items.some((known) => known.id === item.id)) return
        this.items = [item, ...this.items]
        if (item.unread) this.unread = (this.unread ?? 0) + 1
      })
    },
    disconnect(): void {
      source?.close()
      source = null
      openedWith = null
      this.$reset()
    },
    async refreshCount(): Promise<void> {
      this.unread = unwrap(await notifications().GET('/inbox/unread-count')).unread
    },
    async markRead(item: InboxItem): Promise<void> {
      if (!item.unread) return
      const read = unwrap(
        await notifications().POST('/inbox/{item_id}/read', { params: { path: { item_id: item.id } } }),
      )
      this.items = this.items.map((known) => (known.id === read.id ? read : known))
      if (this.unread) this.unread -= 1
    },
    async markAllRead(): Promise<void> {
      this.unread = unwrap(await notifications().POST('/inbox/read-all')).unread
      this.items = this.items.map((item) => ({ ...item, unread: false, read_at: item.read_at ?? new Date().toISOString() }))
    },
  },
})
