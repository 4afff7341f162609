package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Set;

/**
 * A right a folder's owner grants on the folder (Zimbra's r, w, i, d, a). Each maps to RFC 4314
 * IMAP ACL letters, so the IMAP layer can serve GETACL/MYRIGHTS:
 *
 * <table>
 *   <caption>Rights and RFC 4314 letters</caption>
 *   <tr><th>right</th><th>RFC 4314</th><th>allows</th></tr>
 *   <tr><td>{@link #READ}</td><td>{@code l r s}</td><td>see the folder, read messages, keep
 *       {@code \Seen}</td></tr>
 *   <tr><td>{@link #WRITE}</td><td>{@code w}</td><td>change flags and keywords other than
 *       {@code \Seen} and {@code \Deleted}</td></tr>
 *   <tr><td>{@link #INSERT}</td><td>{@code i}</td><td>append and copy into the folder</td></tr>
 *   <tr><td>{@link #DELETE}</td><td>{@code t e x}</td><td>set {@code \Deleted}, expunge, delete
 *       the folder</td></tr>
 *   <tr><td>{@link #ADMINISTER}</td><td>{@code a}</td><td>change the folder's grants</td></tr>
 * </table>
 *
 * <p>Immutable.
 */
public enum Right {
  /** RFC 4314 {@code lrs}. */
  READ("lrs"),
  /** RFC 4314 {@code w}. */
  WRITE("w"),
  /** RFC 4314 {@code i}. */
  INSERT("i"),
  /** RFC 4314 {@code tex}. */
  DELETE("tex"),
  /** RFC 4314 {@code a}. */
  ADMINISTER("a");

  private final String letters;

  Right(String letters) {
    this.letters = letters;
  }

  /** The RFC 4314 §2.1 right letters this right stands for. */
  public String rfc4314() {
    return letters;
  }

  /** The RFC 4314 letters of a set of rights, in the order of this enum. */
  public static String rfc4314(Set<Right> rights) {
    requireNonNull(rights, "rights");
    StringBuilder sb = new StringBuilder();
    for (Right r : rights.isEmpty() ? EnumSet.noneOf(Right.class) : EnumSet.copyOf(rights)) {
      sb.append(r.letters);
    }
    return sb.toString();
  }
}
