package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256 §4) over plain values, and the response
 * syntax ({@code (2)(3 6 (4 23)(44 7 96))}). Stateless and thread-safe.
 */
public final class Threader {
  private Threader() {}

  /**
   * Immutable: what threading needs of one message.
   *
   * @param number what the response shows: the message sequence number, or the UID for UID THREAD
   * @param msn the message sequence number, the last tie-breaker (mailbox order)
   * @param sentMillis the sent date (RFC 5256 §2.2: Date in UTC, else the internal date)
   * @param subjectKey the base subject's {@link UnicodeCasemap#key}
   * @param replyOrForward {@link BaseSubject#replyOrForward()}
   * @param messageId the Message-ID without brackets, if valid
   * @param references the parent chain, oldest first (References, else In-Reply-To)
   */
  public record Msg(
      long number,
      long msn,
      long sentMillis,
      String subjectKey,
      boolean replyOrForward,
      Optional<String> messageId,
      List<String> references) {
    public Msg {
      requireNonNull(subjectKey, "subjectKey");
      requireNonNull(messageId, "messageId");
      references = List.copyOf(references);
    }
  }

  /** Not thread-safe: one node of the thread tree; {@code msg} null for a dummy. */
  static final class Node {
    Msg msg;
    Node parent;
    final List<Node> children = new ArrayList<>();

    Node(Msg msg) {
      this.msg = msg;
    }

    void add(Node child) {
      child.parent = this;
      children.add(child);
    }

    void unlink() {
      if (parent != null) parent.children.remove(this);
      parent = null;
    }

    /** Sort date: the message's, or a dummy's first child's (RFC 5256 §4 REFERENCES (6)). */
    Msg first() {
      return msg != null ? msg : children.get(0).first();
    }
  }

  private static final Comparator<Msg> BY_DATE =
      Comparator.comparingLong(Msg::sentMillis).thenComparingLong(Msg::msn);

  private static final Comparator<Node> NODES = (a, b) -> BY_DATE.compare(a.first(), b.first());

  /** ORDEREDSUBJECT: groups by base subject; roots and children by sent date. */
  public static String orderedSubject(List<Msg> msgs) {
    Map<String, Node> bySubject = new HashMap<>();
    List<Node> roots = new ArrayList<>();
    List<Msg> sorted = new ArrayList<>(msgs);
    sorted.sort(BY_DATE);
    for (Msg m : sorted) {
      Node root = bySubject.get(m.subjectKey());
      if (root == null) {
        root = new Node(m);
        bySubject.put(m.subjectKey(), root);
        roots.add(root);
      } else {
        root.add(new Node(m)); // every later message is a child of the first (siblings)
      }
    }
    return format(roots);
  }

  /** REFERENCES (RFC 5256 §4), steps 1-6. */
  public static String references(List<Msg> msgs) {
    return format(referencesTree(msgs));
  }

  /** The sorted root set of the REFERENCES algorithm. */
  static List<Node> referencesTree(List<Msg> msgs) {
    Map<String, Node> byId = new HashMap<>();
    List<Node> all = new ArrayList<>();
    for (Msg m : msgs) {
      // (1)(A) the message's container; a duplicate Message-ID counts as none
      Node c = null;
      if (m.messageId().isPresent()) {
        Node known = byId.get(m.messageId().get());
        if (known == null) {
          c = new Node(null);
          byId.put(m.messageId().get(), c);
          all.add(c);
        } else if (known.msg == null) {
          c = known;
        }
      }
      if (c == null) {
        c = new Node(null);
        all.add(c);
      }
      c.msg = m;
      // (1)(B) link the references in order, never re-parenting, never making a loop
      Node prev = null;
      for (String ref : m.references()) {
        Node r = byId.get(ref);
        if (r == null) {
          r = new Node(null);
          byId.put(ref, r);
          all.add(r);
        }
        if (prev != null && r.parent == null && !ancestorOrSelf(r, prev)) prev.add(r);
        prev = r;
      }
      // (1)(C) the last reference is the parent, replacing an earlier guess
      if (prev != null && ancestorOrSelf(c, prev)) prev = null; // would be a loop
      if (c.parent != prev) {
        c.unlink();
        if (prev != null) prev.add(c);
      }
    }
    // (2) the root set
    List<Node> roots = new ArrayList<>();
    for (Node n : all) if (n.parent == null) roots.add(n);
    // (4) prune dummies
    roots = prune(roots, true);
    // (5) gather by subject
    roots = groupBySubject(roots);
    // (6) sort siblings by date
    sortTree(roots);
    return roots;
  }

  /** Whether {@code a} is {@code b} or one of its ancestors. */
  private static boolean ancestorOrSelf(Node a, Node b) {
    for (Node n = b; n != null; n = n.parent) if (n == a) return true;
    return false;
  }

  /** (4): dummies without children go; with children they are replaced by them, except at root. */
  private static List<Node> prune(List<Node> level, boolean root) {
    List<Node> out = new ArrayList<>();
    for (Node n : level) {
      List<Node> kids = prune(new ArrayList<>(n.children), false);
      n.children.clear();
      for (Node k : kids) n.add(k);
      if (n.msg != null) {
        out.add(n);
      } else if (n.children.isEmpty()) {
        n.parent = null;
      } else if (!root || n.children.size() == 1) {
        for (Node k : n.children) k.parent = n.parent;
        out.addAll(n.children);
        n.children.clear();
      } else {
        out.add(n);
      }
    }
    return out;
  }

  private static String subject(Node n) {
    if (n.msg != null) return n.msg.subjectKey();
    // a dummy: the subject of its first child (by date)
    return n.children.stream().min(NODES).map(Threader::subject).orElse("");
  }

  /** (5): root messages with equal base subjects are put together. */
  private static List<Node> groupBySubject(List<Node> roots) {
    Map<String, Node> table = new HashMap<>();
    // (5)(A)
    for (Node r : roots) {
      String s = subject(r);
      if (s.isEmpty()) continue;
      Node old = table.get(s);
      if (old == null
          || (r.msg == null && old.msg != null)
          || (old.msg != null
              && old.msg.replyOrForward()
              && r.msg != null
              && !r.msg.replyOrForward())) {
        table.put(s, r);
      }
    }
    // (5)(B), (C)
    Set<Node> out = new LinkedHashSet<>(roots);
    for (Node r : roots) {
      if (!out.contains(r)) continue;
      String s = subject(r);
      if (s.isEmpty()) continue;
      Node t = table.get(s);
      if (t == null || t == r) continue;
      if (t.msg == null && r.msg == null) {
        for (Node k : new ArrayList<>(r.children)) t.add(k);
        r.children.clear();
        out.remove(r);
      } else if (t.msg == null) {
        t.add(r);
        out.remove(r);
      } else if (r.msg == null) {
        r.add(t);
        out.remove(t);
        table.put(s, r);
      } else if (r.msg.replyOrForward() && !t.msg.replyOrForward()) {
        t.add(r);
        out.remove(r);
      } else {
        Node d = new Node(null);
        d.add(t);
        d.add(r);
        out.remove(t);
        out.remove(r);
        out.add(d);
        table.put(s, d);
      }
    }
    return new ArrayList<>(out);
  }

  private static void sortTree(List<Node> level) {
    for (Node n : level) sortTree(n.children);
    level.sort(NODES);
  }

  /** The THREAD response data for sorted roots (RFC 5256 §4 thread-list syntax). */
  static String format(List<Node> roots) {
    StringBuilder sb = new StringBuilder();
    for (Node r : roots) {
      sb.append('(');
      members(r, sb);
      sb.append(')');
    }
    return sb.toString();
  }

  /** thread-members / thread-nested: a single child continues the line, two or more nest. */
  private static void members(Node n, StringBuilder sb) {
    if (n.msg != null) {
      sb.append(n.msg.number());
      if (n.children.isEmpty()) return;
      sb.append(' ');
    }
    if (n.children.size() == 1) {
      members(n.children.get(0), sb);
      return;
    }
    for (Node k : n.children) {
      sb.append('(');
      members(k, sb);
      sb.append(')');
    }
  }
}
