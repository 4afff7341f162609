package org.carbonio.mime;

import java.util.ArrayList;
import java.util.List;

/** Structural invariants every parse result must satisfy. */
final class Invariants {

  private Invariants() {}

  /** Parses {@code bytes} and checks everything; returns the problem or null. */
  static String check(byte[] bytes) {
    ParsedMessage m = ParsedMessage.parse(bytes);
    ByteRange all = new ByteRange(0, bytes.length);
    if (!m.root().whole().equals(all)) {
      return "root " + m.root().whole() + " is not " + all;
    }
    String p = part(m.root(), all);
    if (p != null) {
      return p;
    }
    for (String s : List.of(m.bodyStructure(), m.body(), m.envelope())) {
      String syntax = ImapSyntax.check(s);
      if (syntax != null) {
        return syntax + " in " + abbreviate(s);
      }
    }
    List<List<Integer>> paths = new ArrayList<>();
    paths(m, List.of(), paths);
    for (List<Integer> path : paths) {
      MimePart part = m.part(path).orElse(null);
      if (part == null) {
        return "no part at " + path;
      }
      if (!all.contains(part.whole())) {
        return "part " + path + " outside message";
      }
      HeaderFields.select(bytes, part.header(), List.of("content-type"), false);
    }
    return null;
  }

  private static String part(MimePart p, ByteRange parent) {
    if (!parent.contains(p.whole())) {
      return p + " outside " + parent;
    }
    if (p.header().end() != p.body().start()) {
      return p + " header does not meet body";
    }
    for (MimePart c : p.children()) {
      String s = part(c, p.body());
      if (s != null) {
        return s;
      }
    }
    for (int i = 1; i < p.children().size(); i++) {
      if (p.children().get(i).whole().start() < p.children().get(i - 1).whole().end()) {
        return "children overlap in " + p;
      }
    }
    if (p.embeddedMessage().isPresent()) {
      MimePart e = p.embeddedMessage().get();
      if (!e.whole().equals(p.body())) {
        return "embedded message " + e + " is not the body of " + p;
      }
      return part(e, p.body());
    }
    return null;
  }

  /** Every valid RFC 3501 part number of the message, a few levels deep. */
  static void paths(ParsedMessage m, List<Integer> prefix, List<List<Integer>> out) {
    if (prefix.size() > 6) {
      return;
    }
    for (int n = 1; ; n++) {
      List<Integer> path = new ArrayList<>(prefix);
      path.add(n);
      if (m.part(path).isEmpty()) {
        return;
      }
      out.add(path);
      paths(m, path, out);
    }
  }

  static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
