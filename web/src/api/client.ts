import createClient, { type Client, type Middleware } from 'openapi-fetch'
import type { paths as CommunityPaths } from './community'
import type { paths as DeliberationPaths } from './deliberation'
import type { paths as IntakePaths } from './intake'
import type { paths as NotificationsPaths } from './notifications'
import type { paths as RewardsPaths } from './rewards'
import type { paths as ShiftsPaths } from './shifts'
import { serviceUrl } from '../config'
import { useSession } from '../stores/session'
import { ApiFailure, fromProblem } from './problem'

// One client per service, typed from its OpenAPI document (web/openapi/<svc>.json, generated).
const bearer: Middleware = {
  onRequest({ request }) {
    const token = useSession().token
    if (token) request.headers.set('Authorization', `Bearer ${token}`)
    return request
  },
}

const clients = new Map<string, unknown>()

function client<P extends {}>(name: string): Client<P> {
  let made = clients.get(name) as Client<P> | undefined
  if (!made) {
    made = createClient<P>({ baseUrl: serviceUrl(name) })
    made.use(bearer)
    clients.set(name, made)
  }
  return made
}

export const intake = () => client<IntakePaths>('intake')
export const deliberation = () => client<DeliberationPaths>('deliberation')
export const shifts = () => client<ShiftsPaths>('shifts')
export const rewards = () => client<RewardsPaths>('rewards')
export const notifications = () => client<NotificationsPaths>('notifications')
export const community = () => client<CommunityPaths>('community')

/** The data of an openapi-fetch result, or an ApiFailure carrying the problem's title and detail. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data
  throw new ApiFailure(fromProblem(result.response.status, result.error))
}
