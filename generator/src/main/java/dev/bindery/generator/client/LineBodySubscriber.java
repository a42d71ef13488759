package dev.bindery.generator.client;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as a queue of lines, so the reader can wait for each line with a timeout instead
 * of blocking in a read that nothing can interrupt. Lines end at {@code \n} (a preceding {@code \r}
 * is dropped) and are decoded as UTF-8 only when complete, so a character split across TCP writes
 * arrives whole. The body is complete (from {@link #getBody()}) as soon as the headers are, which
 * lets the caller see the status before the body arrives.
 */
final class LineBodySubscriber implements HttpResponse.BodySubscriber<LineBodySubscriber> {

  /** What {@link #poll} returns. */
  sealed interface Event permits Line, End, Failure, Overflow, Idle {}

  record Line(String text) implements Event {}

  record End() implements Event {}

  record Failure(Throwable error) implements Event {}

  record Overflow(long limit) implements Event {}

  /** Nothing arrived within the wait. */
  record Idle() implements Event {}

  private static final End END = new End();
  private static final Idle IDLE = new Idle();

  private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private final long maxBytes;
  private long received;
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelled;

  /**
   * @param maxBytes the most body bytes accepted; beyond it the body is cancelled and {@link
   *     Overflow} is queued
   */
  LineBodySubscriber(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public CompletionStage<LineBodySubscriber> getBody() {
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (cancelled) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    for (ByteBuffer b : items) {
      received += b.remaining();
      if (received > maxBytes) {
        queue.offer(new Overflow(maxBytes));
        cancel();
        return;
      }
      while (b.hasRemaining()) {
        byte c = b.get();
        if (c == '\n') {
          emit();
        } else {
          pending.write(c);
        }
      }
    }
    Flow.Subscription s = subscription;
    if (s != null && !cancelled) {
      s.request(1);
    }
  }

  @Override
  public void onError(Throwable t) {
    queue.offer(new Failure(t));
  }

  @Override
  public void onComplete() {
    if (pending.size() > 0) {
      emit();
    }
    queue.offer(END);
  }

  private void emit() {
    byte[] bytes = pending.toByteArray();
    pending.reset();
    int len = bytes.length;
    if (len > 0 && bytes[len - 1] == '\r') {
      len--;
    }
    queue.offer(new Line(new String(bytes, 0, len, StandardCharsets.UTF_8)));
  }

  /** Body bytes received so far. */
  long received() {
    return received;
  }

  /**
   * The next event, waiting at most {@code millis}; {@link Idle} when nothing came in time.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  Event poll(long millis) throws InterruptedException {
    Event e = queue.poll(Math.max(0, millis), TimeUnit.MILLISECONDS);
    return e == null ? IDLE : e;
  }

  /** Stops the body (closing the exchange); safe to call more than once and before subscription. */
  void cancel() {
    cancelled = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }
}
