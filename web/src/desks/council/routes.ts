import type { RouteRecordRaw } from 'vue-router'

// This desk's screens, relative to /desk/council; the first is the desk's landing screen.
const routes: RouteRecordRaw[] = [
  { path: '', name: 'desk-council', component: () => import('./CouncilSessions.vue') },
  { path: 'sessions/:id', name: 'desk-council-session', component: () => import('./CouncilSession.vue'), props: true },
  { path: 'vote', name: 'desk-council-vote', component: () => import('./CouncilVote.vue') },
  { path: 'decisions', name: 'desk-council-decisions', component: () => import('./CouncilDecisions.vue') },
]

export default routes
