import type { RouteRecordRaw } from 'vue-router'

// This desk's screens, relative to /desk/committee; the first is the desk's landing screen.
const routes: RouteRecordRaw[] = [
  { path: '', name: 'desk-committee', component: () => import('./ReviewQueue.vue') },
  { path: 'board', name: 'desk-committee-board', component: () => import('./BoardView.vue') },
  { path: 'numbers', name: 'desk-committee-numbers', component: () => import('./NumbersView.vue') },
]

export default routes
