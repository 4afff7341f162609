package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.FlagOperation;
import org.carbonio.imap.spi.MailboxChanges;
import org.carbonio.imap.spi.UserMailboxes;
import org.junit.jupiter.api.Test;

class InMemoryMailboxBackendTest {
  private final InMemoryMailboxBackend backend = new InMemoryMailboxBackend();
  private final byte[] msg = "Subject: x\n\nbody\n".getBytes(StandardCharsets.US_ASCII);

  @Test
  void openShouldCreateInboxWhenNewUser() throws Exception {
    try (UserMailboxes m = backend.open("carol")) {
      assertThat(m.list()).singleElement().satisfies(i -> assertThat(i.name()).isEqualTo("INBOX"));
      assertThat(m.status("INBOX").messages()).isZero();
    }
  }

  @Test
  void deliverShouldConvertToCrlfAndAssignUidsWhenCalled() throws Exception {
    assertThat(backend.deliver("carol", msg)).isEqualTo(1);
    assertThat(backend.deliver("carol", msg)).isEqualTo(2);
    try (UserMailboxes m = backend.open("carol")) {
      assertThat(new String(m.content("INBOX", 1), StandardCharsets.US_ASCII))
          .isEqualTo("Subject: x\r\n\r\nbody\r\n");
    }
  }

  @Test
  void changesSinceShouldReportFlagsAndExpungesWhenModified() throws Exception {
    backend.deliver("carol", msg);
    backend.deliver("carol", msg);
    try (UserMailboxes m = backend.open("carol")) {
      long modSeq = m.snapshot("INBOX").highestModSeq();
      m.setFlags("INBOX", List.of(1L, 2L), FlagOperation.ADD, Set.of("\\Deleted"));
      m.setFlags("INBOX", List.of(2L), FlagOperation.REMOVE, Set.of("\\Deleted"));
      assertThat(m.expunge("INBOX", Optional.empty())).containsExactly(1L);
      MailboxChanges c = m.changesSince("INBOX", modSeq);
      assertThat(c.expunged()).containsExactly(1L);
      assertThat(c.changed()).singleElement().satisfies(x -> assertThat(x.uid()).isEqualTo(2));
      assertThat(c.highestModSeq()).isGreaterThan(modSeq);
    }
  }

  @Test
  void watchShouldNotifyWhenAnotherViewAppends() throws Exception {
    CountDownLatch changed = new CountDownLatch(1);
    try (UserMailboxes a = backend.open("carol");
        UserMailboxes b = backend.open("carol")) {
      AutoCloseable watch = a.watch("INBOX", changed::countDown);
      try {
        b.append("INBOX", Set.of(), Instant.now(), new ByteArrayInputStream(msg), msg.length);
        assertThat(changed.await(5, TimeUnit.SECONDS)).isTrue();
      } finally {
        watch.close();
      }
    }
  }

  @Test
  void mailboxOperationsShouldFailTypedWhenInvalid() throws Exception {
    try (UserMailboxes m = backend.open("carol")) {
      m.create("a/b");
      assertThat(backend.mailboxNames("carol")).contains("a", "a/b");
      assertThatThrownBy(() -> m.create("a")).isInstanceOf(BackendException.AlreadyExists.class);
      assertThatThrownBy(() -> m.delete("zzz")).isInstanceOf(BackendException.NotFound.class);
      assertThatThrownBy(() -> m.copy("INBOX", List.of(1L), "zzz"))
          .isInstanceOf(BackendException.NotFound.class);
      m.rename("a", "c");
      assertThat(backend.mailboxNames("carol")).contains("c", "c/b").doesNotContain("a", "a/b");
    }
  }
}
