package org.carbonio.mime.internal;

import java.util.ArrayList;
import java.util.List;
import org.carbonio.mime.internal.AddressTokens.Kind;
import org.carbonio.mime.internal.AddressTokens.Token;

/**
 * Parses an RFC 5322 §3.4 address-list leniently into the address structures of an IMAP ENVELOPE
 * (RFC 3501 §7.4.2). Display names stay raw (encoded words are not decoded, as RFC 3501 requires).
 * Thread-safe (stateless).
 */
public final class EnvelopeAddresses {

  /** Host used, as Dovecot does, for an address without a domain. */
  public static final String MISSING_DOMAIN = "MISSING_DOMAIN";

  /** Mailbox used, as Dovecot does, for an address without a local part. */
  public static final String MISSING_MAILBOX = "MISSING_MAILBOX";

  /**
   * One IMAP address: a mailbox, a group start (host null, mailbox = group name) or a group end
   * (all null).
   *
   * @param name display name or null
   * @param adl source route or null
   * @param mailbox local part, group name, or null
   * @param host domain, or null for group markers
   */
  public record Address(String name, String adl, String mailbox, String host) {}

  private EnvelopeAddresses() {}

  /** Parses {@code value} (a byte string). Never throws; returns an empty list for no address. */
  public static List<Address> parse(String value) {
    List<Token> tokens = AddressTokens.tokenize(value);
    List<Address> out = new ArrayList<>();
    boolean inGroup = false;
    int i = 0;
    while (i < tokens.size()) {
      // collect one element up to ',' ';' ':' '<' (a view of the tokens, not a copy)
      int phraseStart = i;
      while (i < tokens.size()) {
        Token t = tokens.get(i);
        if (t.is(',') || t.is(';') || t.is('<') || (t.is(':') && !inGroup)) {
          break;
        }
        i++;
      }
      List<Token> phrase = tokens.subList(phraseStart, i);
      Token stop = i < tokens.size() ? tokens.get(i) : null;
      if (stop != null && stop.is(':')) {
        // RFC 5322 §3.4 group
        out.add(new Address(null, null, AddressTokens.phraseText(phrase, true), null));
        inGroup = true;
        i++;
        continue;
      }
      if (stop != null && stop.is('<')) {
        i++;
        int angleStart = i;
        while (i < tokens.size() && !tokens.get(i).is('>')) {
          i++;
        }
        List<Token> angle = tokens.subList(angleStart, i);
        i++; // '>'
        // anything after '>' up to the next separator is ignored (comments, junk)
        while (i < tokens.size() && !tokens.get(i).is(',') && !tokens.get(i).is(';')) {
          i++;
        }
        String name = AddressTokens.phraseText(phrase, false);
        out.add(angleAddr(angle, name.isEmpty() ? null : name));
        continue;
      }
      if (hasContent(phrase)) {
        out.add(addrSpec(phrase, null));
      }
      if (stop != null && stop.is(';') && inGroup) {
        out.add(new Address(null, null, null, null));
        inGroup = false;
      }
      i++;
    }
    if (inGroup) {
      out.add(new Address(null, null, null, null));
    }
    return out;
  }

  private static boolean hasContent(List<Token> phrase) {
    for (Token t : phrase) {
      if (t.kind() != Kind.COMMENT) {
        return true;
      }
    }
    return false;
  }

  private static Address angleAddr(List<Token> angle, String name) {
    // RFC 5322 §4.4 obs-route: "@a,@b:" before the addr-spec
    String adl = null;
    int colon = -1;
    for (int k = 0; k < angle.size(); k++) {
      if (angle.get(k).is(':')) {
        colon = k;
        break;
      }
    }
    List<Token> spec = angle;
    if (colon >= 0 && !angle.isEmpty() && angle.get(0).is('@')) {
      StringBuilder sb = new StringBuilder();
      for (Token t : angle.subList(0, colon)) {
        if (t.kind() != Kind.COMMENT) {
          sb.append(t.kind() == Kind.DOMAIN_LITERAL ? "[" + t.text() + "]" : t.text());
        }
      }
      adl = sb.toString();
      spec = angle.subList(colon + 1, angle.size());
    }
    Address a = addrSpec(spec, name);
    return new Address(a.name(), adl, a.mailbox(), a.host());
  }

  private static Address addrSpec(List<Token> spec, String name) {
    StringBuilder local = new StringBuilder();
    StringBuilder domain = null;
    String comment = null;
    for (Token t : spec) {
      if (t.kind() == Kind.COMMENT) {
        comment = t.text();
        continue;
      }
      if (domain == null && t.is('@')) {
        domain = new StringBuilder();
        continue;
      }
      StringBuilder target = domain == null ? local : domain;
      switch (t.kind()) {
        case DOMAIN_LITERAL -> target.append('[').append(t.text()).append(']');
        default -> target.append(t.text());
      }
    }
    if (name == null && comment != null && !comment.isBlank()) {
      name = comment.strip(); // Dovecot reports a trailing comment as the name
    }
    String mailbox = local.isEmpty() ? MISSING_MAILBOX : local.toString();
    String host = domain == null || domain.isEmpty() ? MISSING_DOMAIN : domain.toString();
    return new Address(name, null, mailbox, host);
  }
}
