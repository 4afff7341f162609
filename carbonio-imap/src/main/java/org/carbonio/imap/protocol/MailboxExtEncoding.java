package org.carbonio.imap.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.carbonio.imap.spi.Quota;

/** Serialises the {@link ImapResponse.MailboxExt} responses. Package-private; stateless. */
final class MailboxExtEncoding {
  private MailboxExtEncoding() {}

  static String line(ImapResponse.MailboxExt r) {
    return switch (r) {
      case ImapResponse.ListExtended l -> {
        StringBuilder sb =
            new StringBuilder("* LIST (")
                .append(String.join(" ", new TreeSet<>(l.attributes())))
                .append(") \"/\" ")
                .append(Texts.mailbox(l.name()));
        if (!l.childInfo().isEmpty()) {
          // RFC 5258 §4: mbox-list-extended
          List<String> opts = new ArrayList<>();
          for (String o : l.childInfo()) opts.add("\"" + o + "\"");
          sb.append(" (\"CHILDINFO\" (").append(String.join(" ", opts)).append("))");
        }
        yield sb.toString();
      }
      case ImapResponse.NamespaceData n ->
          "* NAMESPACE "
              + namespace(n.namespaces().personal())
              + " "
              + namespace(n.namespaces().otherUsers())
              + " "
              + namespace(n.namespaces().shared());
      case ImapResponse.QuotaData q -> {
        List<String> parts = new ArrayList<>();
        for (Quota.Resource res : q.quota().resources()) {
          parts.add(res.name() + " " + res.usage() + " " + res.limit());
        }
        yield "* QUOTA " + Texts.nstring(q.quota().root()) + " (" + String.join(" ", parts) + ")";
      }
      case ImapResponse.QuotaRoot q -> {
        StringBuilder sb = new StringBuilder("* QUOTAROOT ").append(Texts.mailbox(q.mailbox()));
        for (String root : q.roots()) sb.append(' ').append(Texts.nstring(root));
        yield sb.toString();
      }
      case ImapResponse.AclData a -> {
        StringBuilder sb = new StringBuilder("* ACL ").append(Texts.mailbox(a.mailbox()));
        for (Map.Entry<String, String> e : a.entries()) {
          sb.append(' ').append(Texts.nstring(e.getKey()));
          sb.append(' ').append(Texts.nstring(e.getValue()));
        }
        yield sb.toString();
      }
      case ImapResponse.ListRightsData l -> {
        StringBuilder sb =
            new StringBuilder("* LISTRIGHTS ")
                .append(Texts.mailbox(l.mailbox()))
                .append(' ')
                .append(Texts.nstring(l.identifier()))
                .append(' ')
                .append(Texts.nstring(l.required()));
        for (String o : l.optional()) sb.append(' ').append(o);
        yield sb.toString();
      }
      case ImapResponse.MyRightsData m ->
          "* MYRIGHTS " + Texts.mailbox(m.mailbox()) + " " + Texts.nstring(m.rights());
      case ImapResponse.MetadataData m -> {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, String> e : m.entries()) {
          parts.add(Texts.nstring(e.getKey()) + " " + Texts.nstring(e.getValue()));
        }
        yield "* METADATA " + Texts.mailbox(m.mailbox()) + " (" + String.join(" ", parts) + ")";
      }
    };
  }

  private static String namespace(List<String> prefixes) {
    if (prefixes.isEmpty()) return "NIL";
    StringBuilder sb = new StringBuilder("(");
    for (String p : prefixes) sb.append('(').append(Texts.mailbox(p)).append(" \"/\")");
    return sb.append(')').toString();
  }
}
