package org.carbonio.imap.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.carbonio.imap.protocol.ImapResponse.Status;
import org.carbonio.imap.protocol.ImapResponse.Tagged;
import org.carbonio.imap.spi.Acl;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.MailboxInfo;
import org.carbonio.imap.spi.MailboxStatus;
import org.carbonio.imap.spi.Namespaces;
import org.carbonio.imap.spi.Quota;
import org.carbonio.imap.spi.UserMailboxes;

/**
 * The mailbox-level extensions of {@link ImapSession}: LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC
 * 5819), SPECIAL-USE and CREATE-SPECIAL-USE (RFC 6154), STATUS=SIZE (RFC 8438), QUOTA (RFC 9208),
 * ACL (RFC 4314) and METADATA (RFC 5464). Package-private; stateless.
 */
final class MailboxExtensions {
  private MailboxExtensions() {}

  /** Capabilities these extensions add. */
  static final List<String> CAPABILITIES =
      List.of(
          "LIST-EXTENDED",
          "LIST-STATUS",
          "SPECIAL-USE",
          "CREATE-SPECIAL-USE",
          "STATUS=SIZE",
          "QUOTA",
          "QUOTA=RES-STORAGE",
          "QUOTA=RES-MESSAGE",
          "ACL",
          "RIGHTS=texk",
          "METADATA",
          "METADATA-SERVER");

  /** Largest METADATA value in octets (RFC 5464 §4.3, {@code [METADATA MAXSIZE n]}): {@value}. */
  static final int METADATA_MAX_VALUE = 64 * 1024;

  /** Most METADATA entries per mailbox, and for the server (RFC 5464 TOOMANY): {@value}. */
  static final int METADATA_MAX_ENTRIES = 128;

  /** Longest METADATA entry name in characters: {@value}. */
  static final int METADATA_MAX_ENTRY_NAME = 512;

  private static final Set<String> SPECIAL_USES =
      Set.of("\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash");

  static Tagged handle(
      ImapCommand.MailboxExt command, UserMailboxes mb, String user, Consumer<ImapResponse> out)
      throws BackendException {
    return switch (command) {
      case ImapCommand.ListExtended c -> list(c, mb, out);
      case ImapCommand.CreateSpecialUse c -> createSpecialUse(c, mb);
      case ImapCommand.GetQuotaRoot c -> {
        String name = ImapSession.normalize(c.mailbox());
        List<String> roots = mb.quotaRoots(name);
        out.accept(new ImapResponse.QuotaRoot(name, roots));
        for (String root : roots) mb.quota(root).ifPresent(q -> out.accept(quota(q)));
        yield ok(c.tag(), "GETQUOTAROOT completed");
      }
      case ImapCommand.GetQuota c -> {
        Optional<Quota> q = mb.quota(c.root());
        if (q.isEmpty()) yield no(c.tag(), "NONEXISTENT", "No such quota root");
        out.accept(quota(q.get()));
        yield ok(c.tag(), "GETQUOTA completed");
      }
      case ImapCommand.SetQuota c -> {
        for (String res : c.limits().keySet()) {
          if (!res.equals(Quota.STORAGE) && !res.equals(Quota.MESSAGE)) {
            yield no(c.tag(), "CANNOT", "Unsupported resource " + Texts.sanitize(res));
          }
        }
        mb.setQuota(c.root(), c.limits());
        mb.quota(c.root()).ifPresent(q -> out.accept(quota(q)));
        yield ok(c.tag(), "SETQUOTA completed");
      }
      case ImapCommand.MyRights c -> {
        String name = ImapSession.normalize(c.mailbox());
        String rights = mb.myRights(name);
        if (rights.isEmpty()) yield no(c.tag(), "NONEXISTENT", "No such mailbox");
        out.accept(new ImapResponse.MyRightsData(name, rights));
        yield ok(c.tag(), "MYRIGHTS completed");
      }
      case ImapCommand.GetAcl c -> {
        String name = ImapSession.normalize(c.mailbox());
        Tagged denied = requireAdminister(c.tag(), mb, name);
        if (denied != null) yield denied;
        out.accept(new ImapResponse.AclData(name, List.copyOf(mb.acl(name, user).entrySet())));
        yield ok(c.tag(), "GETACL completed");
      }
      case ImapCommand.ListRights c -> {
        String name = ImapSession.normalize(c.mailbox());
        Tagged denied = requireAdminister(c.tag(), mb, name);
        if (denied != null) yield denied;
        boolean owner = c.identifier().equals(user) && personal(mb, name);
        // RFC 4314 §3.7: the owner always has every right
        out.accept(
            new ImapResponse.ListRightsData(
                name,
                c.identifier(),
                owner ? Acl.ALL : "",
                owner ? List.of() : mb.rightGroups(name)));
        yield ok(c.tag(), "LISTRIGHTS completed");
      }
      case ImapCommand.SetAcl c -> {
        String name = ImapSession.normalize(c.mailbox());
        Tagged denied = requireAdminister(c.tag(), mb, name);
        if (denied != null) yield denied;
        String current = mb.acl(name, user).getOrDefault(c.identifier(), "");
        String next =
            switch (c.mode()) {
              case '+' -> Acl.normalize(current + c.rights());
              case '-' -> {
                StringBuilder sb = new StringBuilder();
                for (char r : current.toCharArray()) if (c.rights().indexOf(r) < 0) sb.append(r);
                yield sb.toString();
              }
              default -> c.rights();
            };
        mb.setRights(name, c.identifier(), next);
        yield ok(c.tag(), "SETACL completed");
      }
      case ImapCommand.DeleteAcl c -> {
        String name = ImapSession.normalize(c.mailbox());
        Tagged denied = requireAdminister(c.tag(), mb, name);
        if (denied != null) yield denied;
        mb.setRights(name, c.identifier(), "");
        yield ok(c.tag(), "DELETEACL completed");
      }
      case ImapCommand.GetMetadata c -> getMetadata(c, mb, out);
      case ImapCommand.SetMetadata c -> setMetadata(c, mb);
    };
  }

  // --- ACL enforcement helpers (RFC 4314 §4) ----------------------------------------------------

  /** Whether {@code name} lies in the personal namespace (the owner has every right there). */
  static boolean personal(UserMailboxes mb, String name) {
    Namespaces ns = mb.namespaces();
    for (List<String> prefixes : List.of(ns.otherUsers(), ns.shared())) {
      for (String p : prefixes) {
        if (!p.isEmpty() && (name.startsWith(p) || name.equals(strip(p)))) return false;
      }
    }
    return true;
  }

  private static String strip(String prefix) {
    return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
  }

  /** The user's rights on a mailbox: every right in the personal namespace, else the backend's. */
  static String rights(UserMailboxes mb, String name) throws BackendException {
    return personal(mb, name) ? Acl.ALL : mb.myRights(name);
  }

  /** RFC 4314 §4: SELECT gives READ-WRITE only with one of s, w, t, e. */
  static boolean canWrite(String rights) {
    return Acl.has(rights, 's')
        || Acl.has(rights, 'w')
        || Acl.has(rights, 't')
        || Acl.has(rights, 'e');
  }

  /** The flags a user with {@code rights} may change (RFC 4314 §4, STORE). */
  static boolean mayStore(String rights, String flag) {
    return switch (flag) {
      case "\\Seen" -> Acl.has(rights, 's');
      case "\\Deleted" -> Acl.has(rights, 't');
      default -> Acl.has(rights, 'w');
    };
  }

  /** PERMANENTFLAGS for {@code rights}: the system flags the user may change, {@code \*} with w. */
  static List<String> permanentFlags(String rights, List<String> system) {
    List<String> out = new ArrayList<>();
    for (String f : system) if (mayStore(rights, f)) out.add(f);
    if (Acl.has(rights, 'w')) out.add("\\*");
    return out;
  }

  private static Tagged requireAdminister(String tag, UserMailboxes mb, String name)
      throws BackendException {
    String rights = rights(mb, name);
    if (rights.isEmpty()) return no(tag, "NONEXISTENT", "No such mailbox");
    if (!Acl.has(rights, 'a')) return no(tag, "NOPERM", "Administer right required");
    return null;
  }

  // --- LIST-EXTENDED ----------------------------------------------------------------------------

  private static Tagged list(
      ImapCommand.ListExtended c, UserMailboxes mb, Consumer<ImapResponse> out)
      throws BackendException {
    boolean subscribedSel = c.selection().contains("SUBSCRIBED");
    boolean specialSel = c.selection().contains("SPECIAL-USE");
    boolean recursive = c.selection().contains("RECURSIVEMATCH");
    // RFC 5258 §3.1: the SUBSCRIBED selection option implies the SUBSCRIBED return option
    boolean retSubscribed = subscribedSel || c.returns().contains("SUBSCRIBED");
    if (c.selection().isEmpty() && c.patterns().stream().allMatch(String::isEmpty)) {
      // RFC 3501 §6.3.8: the hierarchy delimiter and root
      out.accept(new ImapResponse.ListExtended(Set.of("\\Noselect"), "", List.of()));
      return ok(c.tag(), "LIST completed");
    }
    List<Pattern> patterns = new ArrayList<>();
    for (String p : c.patterns()) {
      if (!p.isEmpty()) patterns.add(wildcard(ImapSession.normalize(c.reference() + p)));
    }
    Map<String, MailboxInfo> byName = new HashMap<>();
    for (MailboxInfo m : mb.list()) byName.put(ImapSession.normalize(m.name()), m);
    Set<String> parents = new HashSet<>();
    for (String n : byName.keySet()) {
      int i = n.indexOf('/');
      while (i > 0) {
        parents.add(n.substring(0, i));
        i = n.indexOf('/', i + 1);
      }
    }
    TreeSet<String> names = new TreeSet<>(byName.keySet());
    names.addAll(parents);
    Set<String> selected = new HashSet<>();
    for (String n : names) {
      MailboxInfo info = byName.get(n);
      boolean ok = true;
      if (subscribedSel) ok = info != null && info.subscribed();
      if (specialSel) ok = ok && info != null && hasSpecialUse(info.attributes());
      if (ok) selected.add(n);
    }
    for (String name : names) {
      if (!matches(patterns, name)) continue;
      MailboxInfo info = byName.get(name);
      List<String> childInfo = List.of();
      if (!selected.contains(name)) {
        if (!recursive || !subscribedSel) continue;
        // RFC 5258 §3.5: a parent with a matching descendant gets CHILDINFO
        boolean descendant = false;
        for (String d : names.tailSet(name + "/")) {
          if (!d.startsWith(name + "/")) break;
          if (selected.contains(d)) {
            descendant = true;
            break;
          }
        }
        if (!descendant) continue;
        childInfo = List.of("SUBSCRIBED");
      }
      Set<String> attrs = new LinkedHashSet<>();
      if (info == null) {
        attrs.add("\\Noselect");
      } else {
        // RFC 6154 §2: special-use attributes are listed whether or not SPECIAL-USE was asked
        attrs.addAll(info.attributes());
        if (retSubscribed && info.subscribed()) attrs.add("\\Subscribed");
      }
      attrs.add(parents.contains(name) ? "\\HasChildren" : "\\HasNoChildren");
      out.accept(new ImapResponse.ListExtended(attrs, name, childInfo));
      if (!c.statusItems().isEmpty() && info != null && !info.attributes().contains("\\Noselect")) {
        try {
          out.accept(new ImapResponse.StatusData(name, status(mb, name, c.statusItems())));
        } catch (BackendException e) {
          // RFC 5819 §2: a mailbox whose status cannot be read gets no STATUS response
        }
      }
    }
    return ok(c.tag(), "LIST completed");
  }

  private static boolean hasSpecialUse(Set<String> attributes) {
    for (String a : attributes) if (SPECIAL_USES.contains(a)) return true;
    return false;
  }

  private static boolean matches(List<Pattern> patterns, String name) {
    for (Pattern p : patterns) if (p.matcher(name).matches()) return true;
    return false;
  }

  private static Pattern wildcard(String p) {
    StringBuilder re = new StringBuilder();
    StringBuilder lit = new StringBuilder();
    for (char ch : p.toCharArray()) {
      if (ch == '*' || ch == '%') {
        if (!lit.isEmpty()) re.append(Pattern.quote(lit.toString()));
        lit.setLength(0);
        re.append(ch == '*' ? ".*" : "[^/]*");
      } else {
        lit.append(ch);
      }
    }
    if (!lit.isEmpty()) re.append(Pattern.quote(lit.toString()));
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  /** STATUS items of a mailbox, in the order asked (RFC 9051 §6.3.11, RFC 8438). */
  static List<Map.Entry<String, Long>> status(UserMailboxes mb, String name, List<String> items)
      throws BackendException {
    MailboxStatus st = mb.status(name);
    List<Map.Entry<String, Long>> out = new ArrayList<>();
    for (String item : items) {
      long v =
          switch (item) {
            case "MESSAGES" -> st.messages();
            case "RECENT" -> 0;
            case "UIDNEXT" -> st.uidNext();
            case "UIDVALIDITY" -> st.uidValidity();
            case "UNSEEN" -> st.unseen();
            case "HIGHESTMODSEQ" -> st.highestModSeq();
            case "SIZE" -> mb.size(name);
            case "DELETED" -> mb.deleted(name);
            default -> throw new IllegalStateException(item);
          };
      out.add(Map.entry(item, v));
    }
    return out;
  }

  // --- CREATE-SPECIAL-USE -----------------------------------------------------------------------

  private static Tagged createSpecialUse(ImapCommand.CreateSpecialUse c, UserMailboxes mb)
      throws BackendException {
    String name = ImapSession.normalize(c.mailbox());
    while (name.endsWith("/")) name = name.substring(0, name.length() - 1);
    if (name.isEmpty() || name.contains("//")) return bad(c.tag(), "Invalid mailbox name");
    if (name.equals("INBOX")) return no(c.tag(), "ALREADYEXISTS", "INBOX already exists");
    for (String use : c.uses()) {
      if (!SPECIAL_USES.contains(use)) {
        return no(c.tag(), "USEATTR", "Unknown special-use attribute " + Texts.sanitize(use));
      }
    }
    if (!personal(mb, name)) return no(c.tag(), "NOPERM", "Cannot create mailboxes here");
    try {
      mb.create(name, c.uses());
    } catch (BackendException.Invalid e) {
      if (c.uses().isEmpty()) throw e;
      // RFC 6154 §3: the server refuses the special use, not the name
      return no(c.tag(), "USEATTR", "Special-use attribute not accepted");
    }
    Optional<String> id = mb.mailboxId(name); // RFC 8474 §4.1
    if (id.isPresent()) {
      return new ImapResponse.Tagged(
          c.tag(), ImapResponse.Status.OK, "MAILBOXID (" + id.get() + ")", "CREATE completed");
    }
    return ok(c.tag(), "CREATE completed");
  }

  // --- METADATA ---------------------------------------------------------------------------------

  private static Tagged getMetadata(
      ImapCommand.GetMetadata c, UserMailboxes mb, Consumer<ImapResponse> out)
      throws BackendException {
    String name = c.mailbox().isEmpty() ? "" : ImapSession.normalize(c.mailbox());
    SortedMap<String, String> all = mb.metadata(name);
    Map<String, String> found = new LinkedHashMap<>();
    long longest = 0;
    for (String entry : c.entries()) {
      for (Map.Entry<String, String> e : all.tailMap(entry).entrySet()) {
        String key = e.getKey();
        boolean hit;
        if (key.equals(entry)) {
          hit = true;
        } else if (key.startsWith(entry + "/")) {
          hit = c.depth() < 0 || (c.depth() == 1 && key.indexOf('/', entry.length() + 1) < 0);
        } else if (key.compareTo(entry + "/\uffff") > 0) {
          break;
        } else {
          continue;
        }
        if (!hit) continue;
        long size = e.getValue().getBytes(StandardCharsets.UTF_8).length;
        if (c.maxSize() >= 0 && size > c.maxSize()) {
          longest = Math.max(longest, size);
          continue;
        }
        found.put(key, e.getValue());
      }
    }
    if (!found.isEmpty()) {
      out.accept(new ImapResponse.MetadataData(name, List.copyOf(found.entrySet())));
    }
    if (longest > 0) {
      // RFC 5464 §4.2.1
      return new Tagged(
          c.tag(), Status.OK, "METADATA LONGENTRIES " + longest, "GETMETADATA completed");
    }
    return ok(c.tag(), "GETMETADATA completed");
  }

  private static Tagged setMetadata(ImapCommand.SetMetadata c, UserMailboxes mb)
      throws BackendException {
    String name = c.mailbox().isEmpty() ? "" : ImapSession.normalize(c.mailbox());
    for (Map.Entry<String, Optional<String>> e : c.entries().entrySet()) {
      if (e.getKey().length() > METADATA_MAX_ENTRY_NAME) {
        return bad(c.tag(), "Entry name too long");
      }
      if (e.getKey().equals("/private") || e.getKey().equals("/shared")) {
        return bad(c.tag(), "Entry name " + e.getKey() + " cannot hold a value");
      }
      if (e.getValue().isPresent()
          && e.getValue().get().getBytes(StandardCharsets.UTF_8).length > METADATA_MAX_VALUE) {
        // RFC 5464 §4.3
        return no(c.tag(), "METADATA MAXSIZE " + METADATA_MAX_VALUE, "Value too large");
      }
    }
    Set<String> keys = new HashSet<>(mb.metadata(name).keySet());
    for (Map.Entry<String, Optional<String>> e : c.entries().entrySet()) {
      if (e.getValue().isPresent()) keys.add(e.getKey());
      else keys.remove(e.getKey());
    }
    if (keys.size() > METADATA_MAX_ENTRIES) {
      return no(c.tag(), "METADATA TOOMANY", "Too many entries");
    }
    mb.setMetadata(name, c.entries());
    return ok(c.tag(), "SETMETADATA completed");
  }

  // --- replies ----------------------------------------------------------------------------------

  private static ImapResponse quota(Quota q) {
    return new ImapResponse.QuotaData(q);
  }

  private static Tagged ok(String tag, String text) {
    return new Tagged(tag, Status.OK, null, text);
  }

  private static Tagged no(String tag, String code, String text) {
    return new Tagged(tag, Status.NO, code, text);
  }

  private static Tagged bad(String tag, String text) {
    return new Tagged(tag, Status.BAD, null, text);
  }
}
