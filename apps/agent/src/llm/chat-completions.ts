/**
 * A minimal OpenAI-compatible chat-completions client (OpenAI, Gemini's OpenAI endpoint, Ollama,
 * vLLM): POST {base}/chat/completions with messages and function tools; returns the first choice.
 */
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ChatTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface LlmSettings {
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
  timeoutMs: number;
}

export function llmSettings(env: Readonly<Record<string, string | undefined>>): LlmSettings | undefined {
  if (!env.LLM_BASE_URL || !env.LLM_MODEL) return undefined;
  return {
    baseUrl: env.LLM_BASE_URL.replace(/\/$/, ''),
    apiKey: env.LLM_API_KEY || undefined,
    model: env.LLM_MODEL,
    timeoutMs: Number(env.LLM_TIMEOUT_MS ?? 60_000),
  };
}

export async function chat(
  settings: LlmSettings,
  messages: ChatMessage[],
  tools: ChatTool[],
): Promise<Extract<ChatMessage, { role: 'assistant' }>> {
  let response: Response;
  try {
    response = await fetch(`${settings.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}) },
      body: JSON.stringify({ model: settings.model, messages, ...(tools.length ? { tools, tool_choice: 'auto' } : {}) }),
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
  } catch (error) {
    throw new Error(
      `The LLM endpoint ${settings.baseUrl} is unreachable (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message})`,
    );
  }
  const body = (await response.json().catch(() => undefined)) as
    | { choices?: Array<{ message?: Extract<ChatMessage, { role: 'assistant' }> }>; error?: { message?: string } }
    | undefined;
  if (!response.ok) throw new Error(`The LLM endpoint answered HTTP ${response.status}: ${body?.error?.message ?? 'no details'}`);
  const message = body?.choices?.[0]?.message;
  if (!message) throw new Error('The LLM endpoint sent no message');
  return { role: 'assistant', content: message.content ?? null, ...(message.tool_calls?.length ? { tool_calls: message.tool_calls } : {}) };
}
