package org.carbonio.smtp.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.carbonio.smtp.spi.RecipientCheck;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The "no open relay" property for tests: an unauthenticated session, from any address, with any
 * sender (including a forged local one), gets no recipient outside the local domains accepted,
 * whatever the tricks of the recipient's spelling (RFC 5321 §3.6.1, §7.1; the percent hack and
 * source routes of the classic relay tests).
 */
final class OpenRelayCheck {
  private OpenRelayCheck() {}

  private static final List<String> FOREIGN =
      List.of("victim.example", "Victim.Example", "gmail.example", "example.com.evil.example");

  /** Recipients that reach a foreign domain, spelled in ways relay tests use. */
  static Gen<String> foreignRecipients(String local) {
    return Generate.pick(FOREIGN)
        .zip(
            Generate.pick(List.of("user", "postmaster", "a.b", "x+tag")),
            Generate.pick(List.of(0, 1, 2, 3, 4)),
            (domain, user, trick) ->
                switch (trick) {
                  case 0 -> user + "@" + domain;
                  case 1 -> user + "@" + domain + "."; // trailing dot
                  case 2 -> user + "@" + domain.toUpperCase(Locale.ROOT);
                  case 3 -> user + "%" + domain + "@" + domain; // percent hack aimed outside
                  default -> "\"" + user + "@" + local + "\"@" + domain; // quoted local part
                });
  }

  static Gen<String> senders(String local) {
    return Generate.pick(
        List.of("", "spammer@spam.example", "postmaster@" + local, "ceo@" + local.toUpperCase()));
  }

  /** Asserts the property for {@code policy}, whose local domains include {@code local}. */
  static void assertNoOpenRelay(RecipientPolicy policy, String local) {
    qt().forAll(integers().all(), senders(local), foreignRecipients(local))
        .checkAssert(
            (ip, sender, recipient) -> {
              RecipientCheck check = Sessions.rcpt(Sessions.ipv4(ip), sender, recipient);
              assertThat(policy.check(check))
                  .as("RCPT TO:<%s> from %s", recipient, Sessions.ipv4(ip))
                  .isInstanceOf(RecipientDecision.Reject.class);
            });
  }

  /** The policy an embedder is told to write: local domains only (case-insensitive). */
  static RecipientPolicy localDomainsOnly(Set<String> domains) {
    return c -> {
      String r = c.recipient();
      int at = r.lastIndexOf('@');
      String domain = at < 0 ? "" : r.substring(at + 1).toLowerCase(Locale.ROOT);
      String localPart = at < 0 ? r : r.substring(0, at);
      boolean local =
          domains.contains(domain)
              && localPart.indexOf('%') < 0
              && localPart.indexOf('@') < 0
              && localPart.indexOf('!') < 0;
      return local
          ? RecipientDecision.accept()
          : RecipientDecision.reject(550, "5.7.1", "Relaying denied");
    };
  }
}
