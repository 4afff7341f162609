package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Child-process main for {@link CrashRecoveryTest}: four threads deliver distinct messages (some to
 * two accounts) forever and print "ACK token" after each returns. Killed with SIGKILL.
 */
public final class ConcurrentAppendLoop {
  private ConcurrentAppendLoop() {}

  static final List<String> ACCOUNTS = List.of("a@example.org", "b@example.org", "c@example.org");

  /** The content of message {@code token}. */
  static byte[] content(String token) {
    StringBuilder sb = new StringBuilder("Subject: " + token + "\r\n\r\n");
    while (sb.length() < 8_000) {
      sb.append("line of ").append(token).append(" padding padding padding\r\n");
    }
    return sb.toString().getBytes(UTF_8);
  }

  public static void main(String[] args) throws InterruptedException {
    MailStore store = MailStore.open(Path.of(args[0]));
    String run = args[1];
    for (String account : ACCOUNTS) {
      store.mailbox(account);
    }
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      int thread = t;
      threads[t] =
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (long i = 0; ; i++) {
                      String token = run + "-" + thread + "-" + i;
                      List<String> to =
                          i % 3 == 0
                              ? List.of(ACCOUNTS.get(thread % 3), ACCOUNTS.get((thread + 1) % 3))
                              : List.of(ACCOUNTS.get(thread % 3));
                      store.deliver(to, "INBOX", new ByteArrayInputStream(content(token)), null);
                      synchronized (System.out) {
                        System.out.println("ACK " + token + " " + String.join(",", to));
                        System.out.flush();
                      }
                    }
                  });
    }
    for (Thread t : threads) {
      t.join();
    }
    store.close();
  }
}
