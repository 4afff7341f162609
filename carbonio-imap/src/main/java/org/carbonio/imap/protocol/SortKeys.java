package org.carbonio.imap.protocol;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.carbonio.mime.AddressEntry;
import org.carbonio.mime.MailAddresses;
import org.carbonio.mime.MailDates;

/**
 * SORT (RFC 5256 §3) with SORT=DISPLAY (RFC 5957): computes each message's key values once, then
 * orders them; strings compare under {@code i;unicode-casemap} (RFC 5255 §4.1, I18NLEVEL=1). Ties
 * keep mailbox order (RFC 5256 §3: "sorted according to the order in which they appear in the
 * mailbox"), whatever REVERSE says. Package-private; stateless.
 */
final class SortKeys {
  private SortKeys() {}

  /** What sorting needs of a message; {@code data} is null when its content is gone. */
  record Msg(long msn, long uid, Instant internalDate, long size, MessageData data) {}

  /** Immutable: a message with its computed key values. */
  record Keyed(long msn, long uid, Object[] values) {}

  /** Sorts {@code msgs} (in mailbox order) by {@code keys}; returns them in sort order. */
  static List<Keyed> sort(List<Msg> msgs, List<SortKey> keys) {
    List<Keyed> keyed = new ArrayList<>(msgs.size());
    for (Msg m : msgs) keyed.add(keyed(m, keys));
    keyed.sort(comparator(keys));
    return keyed;
  }

  /** The key values of one message; its content may be dropped afterwards. */
  static Keyed keyed(Msg m, List<SortKey> keys) {
    Object[] values = new Object[keys.size()];
    for (int i = 0; i < values.length; i++) values[i] = value(keys.get(i).criterion(), m);
    return new Keyed(m.msn(), m.uid(), values);
  }

  static Comparator<Keyed> comparator(List<SortKey> keys) {
    return (a, b) -> {
      for (int i = 0; i < keys.size(); i++) {
        int c = compareValues(a.values()[i], b.values()[i]);
        if (c != 0) return keys.get(i).reverse() ? -c : c;
      }
      return Long.compare(a.msn(), b.msn());
    };
  }

  private static int compareValues(Object a, Object b) {
    if (a instanceof Long x && b instanceof Long y) return Long.compare(x, y);
    return UnicodeCasemap.compareKeys((String) a, (String) b);
  }

  private static Object value(SortKey.Criterion c, Msg m) {
    MessageData d = m.data();
    return switch (c) {
      case ARRIVAL -> m.internalDate().toEpochMilli();
      case SIZE -> m.size();
      case DATE -> sentMillis(d).orElse(m.internalDate().toEpochMilli());
      case SUBJECT ->
          UnicodeCasemap.key(
              d == null ? "" : BaseSubject.of(d.header("Subject").orElse("")).base());
      case FROM -> UnicodeCasemap.key(mailbox(d, "From"));
      case TO -> UnicodeCasemap.key(mailbox(d, "To"));
      case CC -> UnicodeCasemap.key(mailbox(d, "Cc"));
      case DISPLAYFROM -> UnicodeCasemap.key(display(d, "From"));
      case DISPLAYTO -> UnicodeCasemap.key(display(d, "To"));
    };
  }

  /** RFC 5256 §2.2: the Date field in UTC; empty when missing or unreadable. */
  static Optional<Long> sentMillis(MessageData d) {
    if (d == null) return Optional.empty();
    Optional<String> raw = d.rawHeader("Date");
    if (raw.isEmpty()) return Optional.empty();
    return MailDates.parse(raw.get()).map(t -> t.toInstant().toEpochMilli());
  }

  private static Optional<AddressEntry.Mailbox> first(MessageData d, String field) {
    if (d == null) return Optional.empty();
    Optional<String> raw = d.rawHeader(field);
    if (raw.isEmpty()) return Optional.empty();
    for (AddressEntry e : MailAddresses.parse(raw.get())) {
      switch (e) {
        case AddressEntry.Mailbox mb -> {
          return Optional.of(mb);
        }
        case AddressEntry.Group g -> {
          if (!g.members().isEmpty()) return Optional.of(g.members().get(0));
        }
      }
    }
    return Optional.empty();
  }

  /** RFC 5256 §3 FROM/TO/CC: the addr-mailbox (local part) of the first address, or "". */
  private static String mailbox(MessageData d, String field) {
    return first(d, field).map(AddressEntry.Mailbox::localPart).orElse("");
  }

  /**
   * RFC 5957 §3: the display name of the first address when it has a non-empty one, else its
   * address ({@code local@domain}); "" without an address.
   */
  private static String display(MessageData d, String field) {
    return first(d, field)
        .map(mb -> mb.displayName().isBlank() ? mb.address() : mb.displayName().strip())
        .orElse("");
  }
}
