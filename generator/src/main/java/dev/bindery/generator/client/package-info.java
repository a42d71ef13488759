/**
 * Generator clients over {@link java.net.http.HttpClient} and Jackson: {@link
 * dev.bindery.generator.client.OpenAiChatClient} (OpenAI-compatible chat completions, SSE
 * streaming) and {@link dev.bindery.generator.client.OllamaChatClient} (Ollama's native chat API,
 * NDJSON streaming). Both share one transport for timeouts, bounded retries with backoff, and
 * errors that name the endpoint.
 */
package dev.bindery.generator.client;
