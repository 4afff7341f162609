package org.carbonio.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.carbonio.directory.EmbeddedDirectory;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.RecipientOutcome.Status;
import org.carbonio.smtp.spi.DeliveryAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local outcomes are reported before the remote part, and survive a failing remote agent. */
class QueueAgentTest {

  @TempDir Path dir;

  @Test
  void deliverShouldReportLocalOutcomesFirstAndKeepThemWhenRemoteAgentThrows() throws Exception {
    try (EmbeddedDirectory directory = EmbeddedDirectory.builder().dataDir(dir).build()) {
      directory.createDomain("local.test");
      // the store is not reached: the only local recipient does not exist
      LocalDelivery local = new LocalDelivery(directory, null, "postmaster@local.test");
      Queue<RecipientOutcome> reported = new ConcurrentLinkedQueue<>();
      List<List<RecipientOutcome>> seenByRemote = new java.util.ArrayList<>();
      DeliveryAgent remote =
          new DeliveryAgent() {
            @Override
            public List<RecipientOutcome> deliver(
                Envelope e, List<EnvelopeRecipient> r, MessageContent c) {
              throw new AssertionError("the 4-argument method is called");
            }

            @Override
            public List<RecipientOutcome> deliver(
                Envelope e,
                List<EnvelopeRecipient> r,
                MessageContent c,
                Consumer<RecipientOutcome> progress) {
              seenByRemote.add(List.copyOf(reported));
              throw new IllegalStateException("outbound bug");
            }
          };
      Envelope env = Envelope.of("s@example.org", List.of("nobody@local.test", "x@remote.test"));
      List<RecipientOutcome> out =
          new QueueAgent(local, remote).deliver(env, env.recipients(), null, reported::add);
      assertThat(seenByRemote.getFirst())
          .extracting(RecipientOutcome::recipient, RecipientOutcome::status)
          .containsExactly(tuple("nobody@local.test", Status.PERMANENT));
      assertThat(out)
          .extracting(RecipientOutcome::recipient, RecipientOutcome::status)
          .containsExactlyInAnyOrder(
              tuple("nobody@local.test", Status.PERMANENT),
              tuple("x@remote.test", Status.TEMPORARY));
    }
  }
}
