// RFC 9457 problem details turned into a sentence a person can read.
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  detail_zh?: string
  reason?: string
  errors?: { field?: string; loc?: string[]; message?: string; msg?: string }[]
}

export type Failure =
  | { kind: 'problem'; status: number; title: string; detail: string; detailZh?: string; reason?: string; body?: Problem }
  | { kind: 'offline' }
  | { kind: 'server'; status: number }
  | { kind: 'unknown' }

export class ApiFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind)
  }
}

export function fromProblem(status: number, body: unknown): Failure {
  const problem = (body ?? {}) as Problem
  if (status >= 500 && !problem.detail) return { kind: 'server', status }
  if (typeof problem.title === 'string' || typeof problem.detail === 'string') {
    return {
      kind: 'problem',
      status,
      title: problem.title ?? '',
      detail: problem.detail ?? '',
      ...(typeof problem.detail_zh === 'string' ? { detailZh: problem.detail_zh } : {}),
      ...(typeof problem.reason === 'string' ? { reason: problem.reason } : {}),
      body: problem,
    }
  }
  return status >= 500 ? { kind: 'server', status } : { kind: 'unknown' }
}

export async function failureOf(response: Response | null): Promise<ApiFailure> {
  if (response === null) return new ApiFailure({ kind: 'offline' })
  const body: unknown = await response.json().catch(() => null)
  return new ApiFailure(fromProblem(response.status, body))
}

/** Anything thrown while calling an API, as a Failure (fetch's TypeError means the network). */
export function asFailure(error: unknown): Failure {
  if (error instanceof ApiFailure) return error.failure
  if (error instanceof TypeError) return { kind: 'offline' }
  return { kind: 'unknown' }
}
