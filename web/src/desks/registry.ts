import type { RouteRecordRaw } from 'vue-router'
import committee from './committee/routes'
import council from './council/routes'
import posts from './posts/routes'
import loveBank from './love-bank/routes'
import operators from './operators/routes'

/** A desk: the screens one kind of worker of the community uses, at /desk/<path>, shown to its roles only. */
export interface Desk {
  name: 'committee' | 'council' | 'posts' | 'loveBank' | 'operators'
  path: string
  roles: readonly string[]
  icon: string
  routes: RouteRecordRaw[]
}

// The roles are the services' own rules (who may call the desk's APIs); the desk only mirrors them so a
// person is not offered a screen whose every call would be refused.
export const DESKS: readonly Desk[] = [
  { name: 'committee', path: 'committee', roles: ['committee', 'admin'], icon: 'todo-list-o', routes: committee },
  { name: 'council', path: 'council', roles: ['council_member', 'committee', 'admin'], icon: 'friends-o', routes: council },
  { name: 'posts', path: 'posts', roles: ['post_leader'], icon: 'flag-o', routes: posts },
  { name: 'loveBank', path: 'love-bank', roles: ['committee', 'admin'], icon: 'gold-coin-o', routes: loveBank },
  { name: 'operators', path: 'operators', roles: ['admin'], icon: 'chart-trending-o', routes: operators },
]

export function desksOf(roles: readonly string[] | undefined): Desk[] {
  return DESKS.filter((desk) => desk.roles.some((role) => roles?.includes(role)))
}

/** The routes under /desk: each desk's own, marked with the desk so the router's guard can check its roles. */
export function deskRoutes(): RouteRecordRaw[] {
  return DESKS.map((desk) => ({
    path: desk.path,
    meta: { desk: desk.name },
    children: desk.routes,
  }))
}

export function deskNamed(name: unknown): Desk | undefined {
  return DESKS.find((desk) => desk.name === name)
}
