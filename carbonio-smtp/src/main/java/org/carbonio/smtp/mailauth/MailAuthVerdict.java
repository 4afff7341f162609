package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Everything {@link MailAuthenticator#check} found about one message. Immutable.
 *
 * @param spf the SPF result
 * @param dkim one result per DKIM-Signature, top first
 * @param arc the ARC chain result
 * @param dmarc the DMARC result
 * @param authenticationResults the Authentication-Results field to prepend, ending with CRLF
 * @param disposition what DMARC asks to do with the message
 * @param forgedResults how many Authentication-Results fields already claim our authserv-id: the
 *     caller removes them (RFC 8601 §5), e.g. with {@link AuthenticationResults#removeClaiming}
 */
public record MailAuthVerdict(
    SpfResult spf,
    List<DkimResult> dkim,
    ArcResult arc,
    DmarcResult dmarc,
    String authenticationResults,
    Disposition disposition,
    int forgedResults) {

  /** Checks the components and copies the list. */
  public MailAuthVerdict {
    requireNonNull(spf, "spf");
    dkim = List.copyOf(dkim);
    requireNonNull(arc, "arc");
    requireNonNull(dmarc, "dmarc");
    requireNonNull(authenticationResults, "authenticationResults");
    requireNonNull(disposition, "disposition");
  }
}
