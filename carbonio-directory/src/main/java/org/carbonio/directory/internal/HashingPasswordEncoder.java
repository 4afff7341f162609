package org.carbonio.directory.internal;

import static java.util.Objects.requireNonNull;

import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryPasswordEncoder;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ReadOnlyEntry;
import com.unboundid.ldap.sdk.ResultCode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Password storage for UnboundID's in-memory LDAP server, backed by {@link PasswordHasher}, so that
 * LDAP simple binds as account DNs check {@code userPassword} hashes and clear-text values written
 * over LDAP (ldapadd, ldapmodify, RFC 3062 password modify) are stored as {@code {PBKDF2-SHA512}}.
 *
 * <p>{@link #install} registers, in this order:
 *
 * <ol>
 *   <li>the primary encoder, prefix {@code {PBKDF2-SHA512}}: encodes clear values, verifies;
 *   <li>verify-only encoders for {@code {SSHA}}, {@code {SSHA256}}, {@code {SSHA512}}, {@code
 *       {SHA}}, {@code {SHA256}}, {@code {SHA512}}, {@code {CRYPT}} and {@code {pbkdf2-sha512}},
 *       each also in lower case (the server matches prefixes case-sensitively);
 *   <li>a catch-all for any other value starting with <code>{</code>: it never matches, and a write
 *       of such a value is refused (the server answers unwillingToPerform). Without it the server
 *       would compare an unknown scheme's value as clear text, so sending the stored string as the
 *       password would succeed; a clear password that itself starts with <code>{</code> must be set
 *       through the API instead.
 * </ol>
 *
 * <p>A pre-hashed value written over LDAP must be {@linkplain PasswordHasher#isWellFormed well
 * formed}, or the write is refused the same way. Values without a <code>{</code> prefix already in
 * the directory are still compared as clear text by the server.
 *
 * <p>Thread-safe: no shared mutable state (unlike UnboundID 7.0.x's {@code
 * SaltedMessageDigestInMemoryPasswordEncoder}, which shares one {@code MessageDigest} between
 * threads and fails some correct concurrent binds).
 */
public final class HashingPasswordEncoder extends InMemoryPasswordEncoder {
  private static final List<String> VERIFY_ONLY =
      List.of("{SSHA}", "{SSHA256}", "{SSHA512}", "{SHA}", "{SHA256}", "{SHA512}", "{CRYPT}");

  private enum Role {
    PRIMARY,
    VERIFY,
    REFUSE
  }

  private final PasswordHasher hasher;
  private final Role role;

  /** The primary encoder: prefix {@code {PBKDF2-SHA512}}, encodes with {@code hasher}. */
  public HashingPasswordEncoder(PasswordHasher hasher) {
    this(PasswordHasher.PBKDF2_PREFIX, hasher, Role.PRIMARY);
  }

  private HashingPasswordEncoder(String prefix, PasswordHasher hasher, Role role) {
    super(prefix, null);
    this.hasher = requireNonNull(hasher, "hasher");
    this.role = role;
  }

  /** The verify-only and catch-all encoders described in the class comment, in order. */
  public static List<InMemoryPasswordEncoder> secondaryEncoders(PasswordHasher hasher) {
    List<InMemoryPasswordEncoder> out = new ArrayList<>();
    out.add(
        new HashingPasswordEncoder(
            PasswordHasher.PBKDF2_PREFIX.toLowerCase(Locale.ROOT), hasher, Role.VERIFY));
    for (String p : VERIFY_ONLY) {
      out.add(new HashingPasswordEncoder(p, hasher, Role.VERIFY));
      out.add(new HashingPasswordEncoder(p.toLowerCase(Locale.ROOT), hasher, Role.VERIFY));
    }
    out.add(new HashingPasswordEncoder("{", hasher, Role.REFUSE));
    return List.copyOf(out);
  }

  /**
   * Makes {@code userPassword} the password attribute of {@code config} and installs the primary
   * encoder for {@code hasher} and its {@link #secondaryEncoders}.
   */
  public static void install(InMemoryDirectoryServerConfig config, PasswordHasher hasher)
      throws LDAPException {
    config.setPasswordAttributes("userPassword");
    config.setPasswordEncoders(new HashingPasswordEncoder(hasher), secondaryEncoders(hasher));
  }

  @Override
  protected byte[] encodePassword(
      byte[] clearPassword, ReadOnlyEntry userEntry, List<Modification> modifications)
      throws LDAPException {
    String password = utf8(clearPassword);
    if (role != Role.PRIMARY || password == null || password.isEmpty()) {
      throw new LDAPException(ResultCode.CONSTRAINT_VIOLATION, "password must be non-empty UTF-8");
    }
    String hash = hasher.hash(password);
    return hash.substring(PasswordHasher.PBKDF2_PREFIX.length())
        .getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  protected void ensurePreEncodedPasswordAppearsValid(
      byte[] unPrefixedUnFormattedEncodedPasswordBytes,
      ReadOnlyEntry userEntry,
      List<Modification> modifications)
      throws LDAPException {
    String value = utf8(unPrefixedUnFormattedEncodedPasswordBytes);
    if (role == Role.REFUSE || value == null || !hasher.isWellFormed(getPrefix() + value)) {
      throw new LDAPException(
          ResultCode.CONSTRAINT_VIOLATION,
          "unsupported or malformed password hash; supported: {PBKDF2-SHA512}, {SSHA}, {SSHA256},"
              + " {SSHA512}, {SHA}, {SHA256}, {SHA512}, {CRYPT}");
    }
  }

  @Override
  protected boolean passwordMatches(
      byte[] clearPasswordBytes,
      byte[] unPrefixedUnFormattedEncodedPasswordBytes,
      ReadOnlyEntry userEntry) {
    if (role == Role.REFUSE) {
      return false;
    }
    String password = utf8(clearPasswordBytes);
    String value = utf8(unPrefixedUnFormattedEncodedPasswordBytes);
    return password != null && value != null && hasher.verify(getPrefix() + value, password);
  }

  @Override
  protected byte[] extractClearPassword(
      byte[] unPrefixedUnFormattedEncodedPasswordBytes, ReadOnlyEntry userEntry)
      throws LDAPException {
    throw new LDAPException(ResultCode.NOT_SUPPORTED, "password hashes are not reversible");
  }

  @Override
  public void toString(StringBuilder buffer) {
    buffer.append("HashingPasswordEncoder(prefix='").append(getPrefix()).append("', ");
    buffer.append(role.name().toLowerCase(Locale.ROOT)).append(')');
  }

  /** Strict UTF-8, or null. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
