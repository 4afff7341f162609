package org.carbonio.store;

import static java.util.Objects.requireNonNull;
import static org.carbonio.store.StoreException.quote;

import java.util.Locale;

/**
 * Who a folder is shared with (Zimbra grantee types usr, grp, dom, all).
 *
 * <p>Immutable.
 *
 * @param kind the kind of grantee
 * @param name for {@link Kind#USER} an account id (compared exactly), for {@link Kind#GROUP} a
 *     group name as the directory reports it (compared exactly), for {@link Kind#DOMAIN} a domain
 *     name (lower-cased here), for {@link Kind#EVERYONE} the empty string
 */
public record Grantee(Kind kind, String name) {
  /** Kinds of grantee. */
  public enum Kind {
    /** One account. */
    USER,
    /** The members of a group (distribution list), as the directory resolves them. */
    GROUP,
    /** Every account of a domain. */
    DOMAIN,
    /** Every authenticated account. */
    EVERYONE
  }

  /** Longest grantee name: {@value}. */
  public static final int MAX_NAME = 320;

  /** Validates the name; lower-cases a domain. */
  public Grantee {
    requireNonNull(kind, "kind");
    requireNonNull(name, "name");
    if (kind == Kind.EVERYONE) {
      if (!name.isEmpty()) {
        throw new IllegalArgumentException("EVERYONE takes no name: " + quote(name));
      }
    } else {
      if (name.isEmpty() || name.length() > MAX_NAME) {
        throw new IllegalArgumentException(kind + " name must have 1 to " + MAX_NAME + " chars");
      }
      for (int i = 0; i < name.length(); i++) {
        if (Character.isISOControl(name.charAt(i))) {
          throw new IllegalArgumentException("control character in grantee " + quote(name));
        }
      }
      if (kind == Kind.DOMAIN) {
        name = name.toLowerCase(Locale.ROOT);
      }
    }
  }

  /** An account. */
  public static Grantee user(String accountId) {
    return new Grantee(Kind.USER, accountId);
  }

  /** A group. */
  public static Grantee group(String group) {
    return new Grantee(Kind.GROUP, group);
  }

  /** A domain. */
  public static Grantee domain(String domain) {
    return new Grantee(Kind.DOMAIN, domain);
  }

  /** Every authenticated account. */
  public static Grantee everyone() {
    return new Grantee(Kind.EVERYONE, "");
  }
}
