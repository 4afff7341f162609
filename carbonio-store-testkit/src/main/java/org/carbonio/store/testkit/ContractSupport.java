package org.carbonio.store.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.Set;
import org.carbonio.store.AppendResult;
import org.carbonio.store.Mailbox;

/** Helpers of {@link MailStoreContract}. */
final class ContractSupport {
  static final String ALICE = "alice@example.org";
  static final Instant DATE = Instant.parse("2024-05-01T10:00:00Z");

  private ContractSupport() {}

  static InputStream msg(String text) {
    return new ByteArrayInputStream(text.getBytes(UTF_8));
  }

  static AppendResult append(Mailbox box, String folder, String text, String... flags) {
    return box.append(folder, msg(text), Set.of(flags), DATE);
  }
}
