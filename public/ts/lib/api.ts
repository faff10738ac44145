// Calls to the JSON API from the pages. Errors come back as ApiError with the server's stable
// code, field reasons and Retry-After, so forms can show them in the page's language. The bodies'
// types come from the shared contract (server/contract/api.ts).
import type { ApiErrorBody } from '../../../server/contract/api.js';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly retryAfterS: number | null;
  constructor(status: number, code: string, fields: Record<string, string> = {}, retryAfterS: number | null = null) {
    super(code);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfterS = retryAfterS;
  }
}

type ErrorBody = Partial<ApiErrorBody>;

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network');
  }
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => ({}))) as T & ErrorBody;
  if (!response.ok) {
    const retry = Number(response.headers.get('Retry-After'));
    throw new ApiError(response.status, data.error?.code ?? 'generic', data.error?.fields ?? {}, Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  return data;
}
