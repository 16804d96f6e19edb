/**
 * One GET to a weather provider with a timeout, returning parsed JSON or a ToolError that says what
 * went wrong in words a user can act on. URLs are logged nowhere (OpenWeatherMap's carries the key).
 */
import { ToolError } from '../tool-definition.js';

export interface FetchJsonResult {
  status: number;
  body: unknown;
}

export async function fetchJson(
  url: URL,
  options: { provider: string; timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<FetchJsonResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (error) {
    if (timeout.aborted)
      throw new ToolError(`The weather provider (${options.provider}) did not answer within ${options.timeoutMs} ms. Try again later.`);
    if (options.signal?.aborted) throw new ToolError('The request was cancelled.');
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? 'network error';
    throw new ToolError(`The weather provider (${options.provider}) is unreachable (${reason}). Try again later.`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    if (timeout.aborted)
      throw new ToolError(`The weather provider (${options.provider}) did not answer within ${options.timeoutMs} ms. Try again later.`);
    throw new ToolError(`The weather provider (${options.provider}) answered HTTP ${response.status} with a body that is not JSON.`);
  }
  return { status: response.status, body };
}
