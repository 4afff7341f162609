package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Immutable: the arguments of {@code NOTIFY SET} (RFC 5465 §3, §6).
 *
 * @param status whether the client asked for initial STATUS responses
 * @param groups one entry per event group, in order
 */
public record NotifySpec(boolean status, List<Group> groups) {
  public NotifySpec {
    groups = List.copyOf(groups);
  }

  /** RFC 5465 §6 filter-mailboxes. */
  public enum Filter {
    SELECTED,
    SELECTED_DELAYED,
    INBOXES,
    PERSONAL,
    SUBSCRIBED,
    SUBTREE,
    MAILBOXES;

    /** The keyword as sent, e.g. {@code SELECTED-DELAYED}. */
    public String keyword() {
      return name().replace('_', '-');
    }

    static Filter parse(String s) {
      for (Filter f : values()) if (f.keyword().equalsIgnoreCase(s)) return f;
      return null;
    }
  }

  /** RFC 5465 §5 events. */
  public enum Event {
    MESSAGE_NEW("MessageNew"),
    MESSAGE_EXPUNGE("MessageExpunge"),
    FLAG_CHANGE("FlagChange"),
    ANNOTATION_CHANGE("AnnotationChange"),
    MAILBOX_NAME("MailboxName"),
    SUBSCRIPTION_CHANGE("SubscriptionChange"),
    MAILBOX_METADATA_CHANGE("MailboxMetadataChange"),
    SERVER_METADATA_CHANGE("ServerMetadataChange");

    private final String keyword;

    Event(String keyword) {
      this.keyword = keyword;
    }

    /** The event name as in the RFC. */
    public String keyword() {
      return keyword;
    }

    static Event parse(String s) {
      String l = s.toLowerCase(Locale.ROOT);
      for (Event e : values()) if (e.keyword.toLowerCase(Locale.ROOT).equals(l)) return e;
      return null;
    }
  }

  /**
   * Immutable: one event group.
   *
   * @param filter which mailboxes
   * @param mailboxes the names for {@link Filter#SUBTREE} and {@link Filter#MAILBOXES}, else empty
   * @param events the events; empty for {@code NONE}
   * @param unknownEvents event names this server does not know (answered {@code NO [BADEVENT]})
   */
  public record Group(
      Filter filter, List<String> mailboxes, Set<Event> events, List<String> unknownEvents) {
    public Group {
      requireNonNull(filter, "filter");
      mailboxes = List.copyOf(mailboxes);
      events = Set.copyOf(events);
      unknownEvents = List.copyOf(unknownEvents);
    }
  }
}
