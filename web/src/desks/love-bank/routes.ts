import type { RouteRecordRaw } from 'vue-router'

// This desk's screens, relative to /desk/love-bank; the first is the desk's landing screen (the counter).
const routes: RouteRecordRaw[] = [
  {
    path: '',
    component: () => import('./LoveBankDesk.vue'),
    children: [
      { path: '', name: 'desk-love-bank', component: () => import('./VerifyScreen.vue') },
      { path: 'prizes', name: 'desk-love-bank-prizes', component: () => import('./PrizesScreen.vue') },
      { path: 'rules', name: 'desk-love-bank-rules', component: () => import('./RulesScreen.vue') },
      { path: 'adjustments', name: 'desk-love-bank-adjustments', component: () => import('./AdjustmentsScreen.vue') },
      { path: 'honours', name: 'desk-love-bank-honours', component: () => import('./HonoursScreen.vue') },
      { path: 'leaderboard', name: 'desk-love-bank-leaderboard', component: () => import('./LeaderboardScreen.vue') },
    ],
  },
]

export default routes
