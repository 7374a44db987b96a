import type { RouteRecordRaw } from 'vue-router'

// This desk's screens, relative to /desk/love-bank; the first is the desk's landing screen.
const routes: RouteRecordRaw[] = [
  { path: '', name: 'desk-love-bank', component: () => import('../DeskPending.vue') },
]

export default routes
