package org.carbonio.imap.spi;

/**
 * RFC 4314 rights, as strings of right letters. Immutable (constants only).
 *
 * <table>
 *   <caption>RFC 4314 §2.1 rights</caption>
 *   <tr><td>l</td><td>lookup (LIST)</td></tr>
 *   <tr><td>r</td><td>read (SELECT, FETCH, SEARCH, COPY from)</td></tr>
 *   <tr><td>s</td><td>keep {@code \Seen}</td></tr>
 *   <tr><td>w</td><td>write flags other than {@code \Seen} and {@code \Deleted}</td></tr>
 *   <tr><td>i</td><td>insert (APPEND, COPY into)</td></tr>
 *   <tr><td>p</td><td>post (not used by IMAP)</td></tr>
 *   <tr><td>k</td><td>create child mailboxes</td></tr>
 *   <tr><td>x</td><td>delete the mailbox</td></tr>
 *   <tr><td>t</td><td>set or clear {@code \Deleted}</td></tr>
 *   <tr><td>e</td><td>expunge</td></tr>
 *   <tr><td>a</td><td>administer (SETACL, GETACL, ...)</td></tr>
 * </table>
 */
public final class Acl {
  private Acl() {}

  /** Every right a mailbox owner has: {@value}. */
  public static final String ALL = "lrswipkxtea";

  /** The identifier that stands for every authenticated user (RFC 4314 §2). */
  public static final String ANYONE = "anyone";

  /** Whether {@code rights} holds {@code right}. */
  public static boolean has(String rights, char right) {
    return rights.indexOf(right) >= 0;
  }

  /** The letters of {@code rights} in the order of {@link #ALL}, without duplicates. */
  public static String normalize(CharSequence rights) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ALL.length(); i++) {
      char c = ALL.charAt(i);
      if (rights.toString().indexOf(c) >= 0) sb.append(c);
    }
    return sb.toString();
  }
}
