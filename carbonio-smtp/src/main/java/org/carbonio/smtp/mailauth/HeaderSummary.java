package org.carbonio.smtp.mailauth;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.internal.mailauth.HeaderField;
import org.carbonio.smtp.internal.mailauth.HeaderLimitException;
import org.carbonio.smtp.internal.mailauth.MessageHeaders;
import org.carbonio.smtp.internal.mailauth.Names;

/**
 * What an MTA checks in a message's header section before it takes the message: how many hops it
 * made, whether it carries Authentication-Results fields that claim to be ours, and who wrote it.
 * Immutable.
 *
 * @param receivedFields the number of {@code Received:} fields: RFC 5321 §6.3 loop detection
 * @param claimingResults the number of Authentication-Results fields whose authserv-id is ours,
 *     which RFC 8601 §5 says to remove (see {@link AuthenticationResults#removeClaiming})
 * @param fromDomains the domains of the From addresses, lower case, in order (RFC 5322 §3.6.2)
 * @param tooLarge true when the header section is longer than the limit read (the other components
 *     then cover only what was read)
 */
public record HeaderSummary(
    int receivedFields, int claimingResults, List<String> fromDomains, boolean tooLarge) {

  /** Copies the list. */
  public HeaderSummary {
    fromDomains = List.copyOf(fromDomains);
  }

  /**
   * Reads the header section of {@code message}, at most {@code maxHeaderBytes}.
   *
   * @throws IOException when the message cannot be read
   */
  public static HeaderSummary read(MessageContent message, String authservId, int maxHeaderBytes)
      throws IOException {
    int received = 0;
    int claiming = 0;
    List<String> from = new ArrayList<>();
    List<HeaderField> fields;
    try (InputStream in = new BufferedInputStream(message.open(), 8192)) {
      fields = MessageHeaders.read(in, maxHeaderBytes);
    } catch (HeaderLimitException e) {
      return new HeaderSummary(0, 0, List.of(), true);
    }
    for (HeaderField f : fields) {
      if (f.is("Received")) {
        received++;
      } else if (f.is("Authentication-Results")
          && AuthenticationResults.claims(f.value(), authservId)) {
        claiming++;
      } else if (f.is("From")) {
        from.addAll(Names.addressDomains(f.unfoldedValue()));
      }
    }
    return new HeaderSummary(received, claiming, from, false);
  }
}
