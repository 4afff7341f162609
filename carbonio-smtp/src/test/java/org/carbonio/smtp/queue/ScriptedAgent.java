package org.carbonio.smtp.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.spi.DeliveryAgent;

/**
 * A delivery agent whose answer per recipient address is set by the test (default: delivered), and
 * which records every call. Thread-safe.
 */
final class ScriptedAgent implements DeliveryAgent {

  record Call(Envelope envelope, List<String> recipients, byte[] content) {}

  final LinkedBlockingQueue<Call> calls = new LinkedBlockingQueue<>();
  final Map<String, Function<String, RecipientOutcome>> answers = new ConcurrentHashMap<>();
  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger maxRunning = new AtomicInteger();

  void answer(String rcpt, Function<String, RecipientOutcome> f) {
    answers.put(rcpt, f);
  }

  void temporary(String rcpt) {
    answer(rcpt, r -> RecipientOutcome.temporary(r, 451, "4.4.1", "try again later"));
  }

  void permanent(String rcpt) {
    answer(
        rcpt,
        r ->
            new RecipientOutcome(
                r,
                RecipientOutcome.Status.PERMANENT,
                550,
                "5.1.1",
                "<" + r + ">: Recipient address rejected: User unknown",
                "mx.example.net"));
  }

  @Override
  public List<RecipientOutcome> deliver(
      Envelope envelope, List<EnvelopeRecipient> recipients, MessageContent content)
      throws InterruptedException {
    int now = running.incrementAndGet();
    maxRunning.accumulateAndGet(now, Math::max);
    try {
      byte[] bytes;
      try (InputStream in = content.open()) {
        bytes = in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      List<String> addrs = recipients.stream().map(EnvelopeRecipient::address).toList();
      List<RecipientOutcome> out = new ArrayList<>();
      for (String a : addrs) {
        out.add(answers.getOrDefault(a, RecipientOutcome::delivered).apply(a));
      }
      calls.add(new Call(envelope, addrs, bytes));
      return out;
    } finally {
      running.decrementAndGet();
    }
  }

  Call next() throws InterruptedException {
    Call c = calls.poll(20, TimeUnit.SECONDS);
    if (c == null) {
      throw new AssertionError("no delivery attempt within 20 s");
    }
    return c;
  }
}
