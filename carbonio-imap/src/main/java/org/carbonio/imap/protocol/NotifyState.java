package org.carbonio.imap.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.carbonio.imap.protocol.ImapResponse.Status;
import org.carbonio.imap.protocol.NotifySpec.Event;
import org.carbonio.imap.protocol.NotifySpec.Filter;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.MailboxInfo;
import org.carbonio.imap.spi.MailboxStatus;
import org.carbonio.imap.spi.UserMailboxes;

/**
 * One session's NOTIFY SET (RFC 5465): watches the mailboxes its filters name through {@link
 * UserMailboxes#watch} (and the mailbox list through {@link UserMailboxes#watchMailboxes}), marks
 * the ones that changed, and on {@link #poll} turns them into STATUS responses for mailboxes other
 * than the selected one (§5.1-5.3) and LIST responses for MailboxName and SubscriptionChange (§5.4,
 * §5.5). The selected mailbox's own changes are reported by the session. More than {@value
 * #MAX_PENDING} changed mailboxes at one look end NOTIFY with {@code [NOTIFICATIONOVERFLOW]}
 * (§5.8).
 *
 * <p>Not thread-safe: confined to the session, except the watch callbacks (any thread).
 */
final class NotifyState implements AutoCloseable {
  /** Changed mailboxes one look reports at most before NOTIFICATIONOVERFLOW. */
  static final int MAX_PENDING = 1000;

  private final NotifySpec spec;
  private final UserMailboxes mailboxes;
  private final Runnable wake;
  private final Map<String, AutoCloseable> watches = new HashMap<>();
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final Map<String, MailboxStatus> known = new HashMap<>();
  private Map<String, Boolean> list = new TreeMap<>(); // name -> subscribed
  private AutoCloseable listWatch;
  private volatile boolean listDirty;
  private boolean overflowed;

  NotifyState(NotifySpec spec, UserMailboxes mailboxes, Runnable wake) {
    this.spec = spec;
    this.mailboxes = mailboxes;
    this.wake = wake;
  }

  /** The events of the group for the selected mailbox, or null when none names it. */
  private NotifySpec.Group selectedGroup() {
    for (NotifySpec.Group g : spec.groups()) {
      if (g.filter() == Filter.SELECTED || g.filter() == Filter.SELECTED_DELAYED) return g;
    }
    return null;
  }

  /** Whether changes of the selected mailbox are pushed outside IDLE. */
  boolean pushesSelected() {
    NotifySpec.Group g = selectedGroup();
    return g != null && !g.events().isEmpty();
  }

  /** SELECTED-DELAYED: EXPUNGE waits for a command (RFC 5465 §6). */
  boolean selectedDelayed() {
    NotifySpec.Group g = selectedGroup();
    return g != null && g.filter() == Filter.SELECTED_DELAYED;
  }

  boolean overflowed() {
    return overflowed;
  }

  private boolean wantsList() {
    for (NotifySpec.Group g : spec.groups()) {
      if (g.events().contains(Event.MAILBOX_NAME)
          || g.events().contains(Event.SUBSCRIPTION_CHANGE)) {
        return true;
      }
    }
    return false;
  }

  /** The first non-selected group covering {@code name}, or null (RFC 5465 §6). */
  private NotifySpec.Group groupOf(String name, boolean subscribed) {
    for (NotifySpec.Group g : spec.groups()) {
      boolean match =
          switch (g.filter()) {
            case SELECTED, SELECTED_DELAYED -> false;
            case INBOXES -> name.equals("INBOX");
            case PERSONAL -> true;
            case SUBSCRIBED -> subscribed;
            case MAILBOXES ->
                g.mailboxes().stream().anyMatch(m -> ImapSession.normalize(m).equals(name));
            case SUBTREE ->
                g.mailboxes().stream()
                    .map(ImapSession::normalize)
                    .anyMatch(m -> name.equals(m) || name.startsWith(m + "/"));
          };
      if (match) return g;
    }
    return null;
  }

  /** Registers the watches; with {@code (STATUS)}, reports every watched mailbox once (§3). */
  void start(String selected, Consumer<ImapResponse> out) throws BackendException {
    if (wantsList()) {
      listWatch =
          mailboxes.watchMailboxes(
              () -> {
                listDirty = true;
                wake.run();
              });
    }
    list = readList();
    for (var e : list.entrySet()) {
      NotifySpec.Group g = groupOf(e.getKey(), e.getValue());
      if (g == null || g.events().isEmpty()) continue;
      watch(e.getKey());
      if (hasMessageEvents(g)) {
        MailboxStatus st = mailboxes.status(e.getKey());
        known.put(e.getKey(), st);
        if (spec.status() && !e.getKey().equals(selected)) out.accept(status(e.getKey(), st, g));
      }
    }
    syncSelected(selected);
  }

  /** Makes sure the selected mailbox is watched when a selected filter asks for its events. */
  void syncSelected(String selected) {
    if (selected != null && pushesSelected()) watch(selected);
  }

  private void watch(String name) {
    if (watches.containsKey(name)) return;
    try {
      watches.put(
          name,
          mailboxes.watch(
              name,
              () -> {
                dirty.add(name);
                wake.run();
              }));
    } catch (BackendException e) {
      // gone meanwhile: MailboxName reports it
    }
  }

  private static boolean hasMessageEvents(NotifySpec.Group g) {
    return g.events().contains(Event.MESSAGE_NEW) || g.events().contains(Event.FLAG_CHANGE);
  }

  private Map<String, Boolean> readList() throws BackendException {
    Map<String, Boolean> m = new TreeMap<>();
    for (MailboxInfo i : mailboxes.list()) m.put(ImapSession.normalize(i.name()), i.subscribed());
    return m;
  }

  /** Writes the responses for what changed since the last look. */
  void poll(String selected, Consumer<ImapResponse> out) {
    if (overflowed) return;
    if (dirty.size() > MAX_PENDING) {
      overflow(out);
      return;
    }
    if (wantsList() && (listDirty || listWatch == null)) {
      listDirty = false;
      pollList(out);
    }
    List<String> names = new ArrayList<>(dirty);
    dirty.removeAll(names);
    for (String name : names) {
      if (name.equals(selected)) continue; // the session reports its selected mailbox
      NotifySpec.Group g = groupOf(name, list.getOrDefault(name, false));
      if (g == null || !hasMessageEvents(g)) continue;
      MailboxStatus st;
      try {
        st = mailboxes.status(name);
      } catch (BackendException e) {
        known.remove(name);
        continue;
      }
      MailboxStatus old = known.put(name, st);
      if (st.equals(old)) continue;
      if (old != null
          && !g.events().contains(Event.FLAG_CHANGE)
          && old.messages() == st.messages()
          && old.uidNext() == st.uidNext()
          && old.uidValidity() == st.uidValidity()) {
        continue; // only flags changed
      }
      out.accept(status(name, st, g));
    }
  }

  private void pollList(Consumer<ImapResponse> out) {
    Map<String, Boolean> now;
    try {
      now = readList();
    } catch (BackendException e) {
      return;
    }
    boolean names = spec.groups().stream().anyMatch(g -> g.events().contains(Event.MAILBOX_NAME));
    boolean subs =
        spec.groups().stream().anyMatch(g -> g.events().contains(Event.SUBSCRIPTION_CHANGE));
    for (var e : now.entrySet()) {
      Boolean before = list.get(e.getKey());
      if (before == null) {
        if (names) out.accept(listItem(e.getKey(), e.getValue(), false));
        NotifySpec.Group g = groupOf(e.getKey(), e.getValue());
        if (g != null && !g.events().isEmpty()) {
          watch(e.getKey());
          if (hasMessageEvents(g)) {
            try {
              known.put(e.getKey(), mailboxes.status(e.getKey()));
            } catch (BackendException x) {
              // deleted again meanwhile
            }
          }
        }
      } else if (!before.equals(e.getValue()) && subs) {
        out.accept(listItem(e.getKey(), e.getValue(), false));
      }
    }
    for (String gone : list.keySet()) {
      if (now.containsKey(gone)) continue;
      if (names) out.accept(listItem(gone, false, true));
      known.remove(gone);
      AutoCloseable w = watches.remove(gone);
      closeQuietly(w);
    }
    list = now;
  }

  private static ImapResponse listItem(String name, boolean subscribed, boolean gone) {
    Set<String> attrs = new LinkedHashSet<>();
    if (gone) attrs.add("\\NonExistent");
    if (subscribed) attrs.add("\\Subscribed");
    return new ImapResponse.ListItem(false, attrs, name);
  }

  private static ImapResponse status(String name, MailboxStatus st, NotifySpec.Group g) {
    List<Map.Entry<String, Long>> items = new ArrayList<>();
    items.add(Map.entry("MESSAGES", st.messages()));
    items.add(Map.entry("UIDNEXT", st.uidNext()));
    items.add(Map.entry("UIDVALIDITY", st.uidValidity()));
    if (g.events().contains(Event.FLAG_CHANGE)) items.add(Map.entry("UNSEEN", st.unseen()));
    return new ImapResponse.StatusData(name, items);
  }

  private void overflow(Consumer<ImapResponse> out) {
    overflowed = true;
    close();
    // RFC 5465 §5.8: the server then behaves as after NOTIFY NONE
    out.accept(new ImapResponse.Untagged(Status.OK, "NOTIFICATIONOVERFLOW", "NOTIFY disabled"));
  }

  /** Marks a mailbox changed, as a watch callback would (for tests and overflow). */
  void markChanged(String name) {
    dirty.add(name);
  }

  @Override
  public void close() {
    for (AutoCloseable w : watches.values()) closeQuietly(w);
    watches.clear();
    closeQuietly(listWatch);
    listWatch = null;
    dirty.clear();
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) return;
    try {
      c.close();
    } catch (Exception e) {
      // a watch handle that fails to close leaves nothing for us to do
    }
  }
}
