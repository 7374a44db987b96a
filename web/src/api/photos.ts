// Photos of a matter: resized in the browser before they leave the phone, uploaded to intake as the image
// itself, and read back with the person's token (an <img src> cannot send it), shown from an object URL.
import { serviceUrl } from '../config'
import { useSession } from '../stores/session'
import { failureOf } from './problem'

export const LONGEST_SIDE = 1600
export const QUALITY = 0.8
export const MAX_PHOTOS = 9

function authorised(init: RequestInit = {}): RequestInit {
  const token = useSession().token
  const headers = new Headers(init.headers)
  if (token) headers.set('Authorization', `Bearer ${token}`)
  return { ...init, headers }
}

/** The picture scaled so its longest side is at most 1600 px, as a JPEG of quality 0.8 (no EXIF: a canvas has none). */
export async function resized(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file)
  const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height))
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.round(bitmap.width * scale))
  canvas.height = Math.max(1, Math.round(bitmap.height * scale))
  const context = canvas.getContext('2d')!
  // A transparent PNG becomes JPEG on white, not on black.
  context.fillStyle = '#fff'
  context.fillRect(0, 0, canvas.width, canvas.height)
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
  bitmap.close()
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('resize'))), 'image/jpeg', QUALITY),
  )
}

export async function uploadPhoto(issueId: string, photo: Blob): Promise<void> {
  const response = await fetch(
    `${serviceUrl('intake')}/issues/${encodeURIComponent(issueId)}/photos`,
    authorised({ method: 'POST', body: photo, headers: { 'Content-Type': photo.type || 'image/jpeg' } }),
  ).catch(() => null)
  if (!response?.ok) throw await failureOf(response)
}

/** An object URL of a photo intake serves at `path` (revoke it when the screen goes). */
export async function photoObjectUrl(path: string): Promise<string> {
  const response = await fetch(`${serviceUrl('intake')}${path}`, authorised()).catch(() => null)
  if (!response?.ok) throw await failureOf(response)
  return URL.createObjectURL(await response.blob())
}
