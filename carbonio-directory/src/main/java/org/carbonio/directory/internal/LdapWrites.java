package org.carbonio.directory.internal;

import com.unboundid.ldap.sdk.AddRequest;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ReadOnlyAddRequest;
import com.unboundid.ldap.sdk.ReadOnlyModifyRequest;
import com.unboundid.ldap.sdk.ResultCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Rewrites LDAP write requests from the listener so that no clear-text {@code userPassword} is
 * stored, and maps changed DNs to the account addresses whose cached logins must be forgotten.
 *
 * <p>Thread-safe (stateless apart from the thread-safe hasher).
 */
public final class LdapWrites {
  // RFC 3112 §3 / RFC 2307: "{SCHEME}value"; such values are stored as given.
  private static final Pattern SCHEME = Pattern.compile("^\\{[A-Za-z0-9][A-Za-z0-9.+_-]*\\}.*");
  private static final String PASSWORD_OID = "2.5.4.35";

  private final PasswordHasher hasher;
  private final int maxPasswordChars;

  /**
   * @param maxPasswordChars longest clear-text password accepted (as for the API)
   */
  public LdapWrites(PasswordHasher hasher, int maxPasswordChars) {
    this.hasher = hasher;
    this.maxPasswordChars = maxPasswordChars;
  }

  /** True if {@code value} is a clear-text password (it has no {@code {SCHEME}} prefix). */
  public static boolean isClearText(String value) {
    return !SCHEME.matcher(value).matches();
  }

  /**
   * The add request with every clear-text {@code userPassword} value hashed.
   *
   * @throws LDAPException {@code constraintViolation} for an empty or too long clear-text password
   */
  public AddRequest hashPasswords(ReadOnlyAddRequest request) throws LDAPException {
    AddRequest out = request.duplicate();
    List<Attribute> attrs = new ArrayList<>();
    boolean changed = false;
    for (Attribute a : out.getAttributes()) {
      if (isPassword(a.getBaseName())) {
        Attribute h = hashed(a);
        changed |= h != a;
        attrs.add(h);
      } else {
        attrs.add(a);
      }
    }
    if (changed) {
      out.setAttributes(attrs);
    }
    return out;
  }

  /**
   * The modify request with every clear-text {@code userPassword} value added or replaced hashed.
   *
   * @throws LDAPException {@code constraintViolation} for an empty or too long clear-text password
   */
  public ModifyRequest hashPasswords(ReadOnlyModifyRequest request) throws LDAPException {
    ModifyRequest out = request.duplicate();
    List<Modification> mods = new ArrayList<>();
    boolean changed = false;
    for (Modification m : out.getModifications()) {
      ModificationType t = m.getModificationType();
      if (isPassword(m.getAttribute().getBaseName())
          && (t == ModificationType.ADD || t == ModificationType.REPLACE)) {
        Attribute h = hashed(m.getAttribute());
        if (h != m.getAttribute()) {
          changed = true;
          mods.add(new Modification(t, h.getName(), h.getValues()));
          continue;
        }
      }
      mods.add(m);
    }
    if (changed) {
      out.setModifications(mods);
    }
    return out;
  }

  private Attribute hashed(Attribute a) throws LDAPException {
    String[] values = a.getValues();
    boolean changed = false;
    for (int i = 0; i < values.length; i++) {
      if (isClearText(values[i])) {
        if (values[i].isEmpty() || values[i].length() > maxPasswordChars) {
          throw new LDAPException(
              ResultCode.CONSTRAINT_VIOLATION,
              "userPassword must be 1 to " + maxPasswordChars + " characters");
        }
        values[i] = hasher.hash(values[i]);
        changed = true;
      }
    }
    return changed ? new Attribute(a.getName(), values) : a;
  }

  private static boolean isPassword(String baseName) {
    return LdapLayout.AT_PASSWORD.equalsIgnoreCase(baseName) || PASSWORD_OID.equals(baseName);
  }

  /**
   * The address of the account at {@code dn} ({@code uid=L,ou=people,ou=D,ou=domains,o=carbonio}
   * gives {@code L@D}), if it has that shape.
   */
  public static Optional<String> accountAddress(String dn) {
    try {
      DN parsed = new DN(dn);
      DN people = parsed.getParent();
      DN domain = people == null ? null : people.getParent();
      if (domain == null
          || !LdapLayout.DOMAINS_DN.equals(domain.getParent())
          || !new RDN("ou", "people").equals(people.getRDN())) {
        return Optional.empty();
      }
      RDN uid = parsed.getRDN();
      if (!uid.hasAttribute("uid") || uid.getAttributeValues().length != 1) {
        return Optional.empty();
      }
      return Optional.of(
          Names.address(uid.getAttributeValues()[0] + "@" + domain.getRDN().getAttributeValues()[0])
              .address());
    } catch (LDAPException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
