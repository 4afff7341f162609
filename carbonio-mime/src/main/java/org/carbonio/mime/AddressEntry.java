package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import java.net.IDN;
import java.util.List;

/**
 * One element of an RFC 5322 §3.4 address list: a {@link Mailbox} or a {@link Group}. Immutable.
 */
public sealed interface AddressEntry {

  /** The display name, decoded (RFC 2047 encoded words, RFC 6532 UTF-8); empty when none. */
  String displayName();

  /**
   * A mailbox (RFC 5322 §3.4). Text is decoded: RFC 2047 encoded words in the display name, raw
   * UTF-8 (RFC 6532) anywhere.
   *
   * @param displayName display name, or (with none) the comment that followed the address, as in
   *     {@code user@example.com (Real Name)}; empty when neither
   * @param localPart the local part without quoting ({@code "john smith"@x} gives {@code john
   *     smith}), CFWS around dots removed; empty for {@code <>}
   * @param domain the domain as given (not lower-cased, an IDN stays in Unicode, a domain literal
   *     keeps its brackets); empty when the header gave none (as in {@code To: postmaster})
   */
  record Mailbox(String displayName, String localPart, String domain) implements AddressEntry {
    /** Validates that no component is null. */
    public Mailbox {
      requireNonNull(displayName, "displayName");
      requireNonNull(localPart, "localPart");
      requireNonNull(domain, "domain");
    }

    /**
     * {@code local@domain}, the local part quoted (RFC 5322 §3.4.1) when it is not a dot-atom; just
     * the local part when there is no domain.
     */
    public String address() {
      String local = MailAddresses.quoteLocalPart(localPart);
      return domain.isEmpty() ? local : local + "@" + domain;
    }

    /**
     * The domain in ASCII (IDNA ToASCII of {@link java.net.IDN}, RFC 3490): {@code bücher.example}
     * gives {@code xn--bcher-kva.example}. A domain that cannot be converted (a domain literal, an
     * over-long label) comes back unchanged.
     */
    public String asciiDomain() {
      if (domain.startsWith("[")) {
        return domain;
      }
      try {
        return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
      } catch (IllegalArgumentException e) {
        return domain;
      }
    }
  }

  /**
   * A group (RFC 5322 §3.4): {@code name: member, member;}, possibly without members, as in {@code
   * undisclosed-recipients:;}.
   *
   * @param displayName the group name, decoded
   * @param members its mailboxes, in order
   */
  record Group(String displayName, List<Mailbox> members) implements AddressEntry {
    /** Validates and copies. */
    public Group {
      requireNonNull(displayName, "displayName");
      members = List.copyOf(members);
    }
  }
}
