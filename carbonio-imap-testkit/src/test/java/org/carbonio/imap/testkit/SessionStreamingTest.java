package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.imap.protocol.Decoded;
import org.carbonio.imap.protocol.DecoderLimits;
import org.carbonio.imap.protocol.ImapCommand;
import org.carbonio.imap.protocol.ImapDecoder;
import org.carbonio.imap.protocol.ImapResponse;
import org.carbonio.imap.protocol.ImapSession;
import org.carbonio.imap.protocol.SessionOptions;
import org.carbonio.imap.spi.MailboxBackend;
import org.carbonio.imap.spi.UserMailboxes;
import org.junit.jupiter.api.Test;

/** The session hands FETCH responses out one message at a time. */
class SessionStreamingTest {

  @Test
  void fetchShouldEmitEachMessageBeforeLoadingNextWhenManyMessages() {
    InMemoryMailboxBackend store = new InMemoryMailboxBackend();
    int n = 50;
    for (int i = 0; i < n; i++) {
      store.deliver(
          "alice",
          ("Subject: m" + i + "\r\n\r\nbody " + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    AtomicInteger contentCalls = new AtomicInteger();
    MailboxBackend counting = user -> countingContent(store.open(user), contentCalls);
    ImapSession session =
        new ImapSession(
            new SessionOptions("test", false, true, 1 << 20, Clock.systemUTC()),
            new InMemoryAuthenticator(Map.of("alice", "secret")),
            counting,
            null,
            false);
    session.handle(new ImapCommand.Login("l", "alice", "secret"));
    session.handle(new ImapCommand.Select("s", "INBOX"));

    List<Integer> loadedWhenEmitted = new ArrayList<>();
    List<ImapResponse> emitted = new ArrayList<>();
    session.handle(
        command("f UID FETCH 1:* BODY.PEEK[]"),
        r -> {
          if (r instanceof ImapResponse.Fetch) loadedWhenEmitted.add(contentCalls.get());
          emitted.add(r);
        });

    // the k-th FETCH response is handed out right after the k-th message is loaded
    List<Integer> expected = new ArrayList<>();
    for (int k = 1; k <= n; k++) expected.add(k);
    assertThat(loadedWhenEmitted).isEqualTo(expected);
    assertThat(emitted.getLast()).isInstanceOf(ImapResponse.Tagged.class);
    session.close();
  }

  private static UserMailboxes countingContent(UserMailboxes delegate, AtomicInteger calls) {
    return (UserMailboxes)
        Proxy.newProxyInstance(
            UserMailboxes.class.getClassLoader(),
            new Class<?>[] {UserMailboxes.class},
            (proxy, method, args) -> {
              if (method.getName().equals("content")) calls.incrementAndGet();
              try {
                return method.invoke(delegate, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private static ImapCommand command(String line) {
    Decoded d =
        new ImapDecoder(DecoderLimits.DEFAULTS)
            .decode(ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.US_ASCII)));
    return ((Decoded.Command) d).command();
  }
}
