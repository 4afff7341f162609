package org.carbonio.directory.sasl;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import org.carbonio.directory.internal.SaslPrep;

/**
 * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding: the GS2 header
 * must be {@code n,,} or {@code y,,} (optionally with {@code a=authzid}); a client asking for
 * channel binding ({@code p=}) fails with {@link SaslError#CHANNEL_BINDING_NOT_SUPPORTED}, since
 * this server offers no SCRAM-SHA-256-PLUS.
 *
 * <p>Exchange: client-first → {@link SaslResult.Challenge} with server-first ({@code r=,s=,i=});
 * client-final → {@link SaslResult.Success} whose additional data is server-final ({@code v=}), or
 * {@link SaslResult.Failure}. The transport may send {@link SaslResult.Failure#serverFinal()}
 * ({@code e=...}) before refusing.
 *
 * <p>Unknown users (the lookup returns empty) get a salt derived from the username with
 * HMAC-SHA-256 under the server secret, and the iteration count given here, so that the
 * server-first message looks the same for every attempt on that name and the exchange fails only at
 * the proof, like a wrong password. Give every server the same secret and the same iteration count
 * as real accounts use, or a probe can tell names apart by comparing servers.
 *
 * <p>Not thread-safe: one instance per exchange.
 */
public final class ScramSha256Mechanism implements SaslMechanism {
  public static final String NAME = "SCRAM-SHA-256";

  /** Random bytes in the server's part of the nonce (base64, 24 characters). */
  static final int NONCE_BYTES = 18;

  private static final SecureRandom RANDOM = new SecureRandom();

  private enum State {
    FIRST,
    FINAL,
    DONE
  }

  private final ScramCredentialLookup lookup;
  private final byte[] secret;
  private final int fakeIterations;
  private final AuthzidPolicy policy;
  private final Supplier<String> serverNonce;

  private State state = State.FIRST;
  private String gs2Header;
  private String authzid;
  private String username;
  private String clientFirstBare;
  private String serverFirst;
  private String nonce;
  private ScramCredentials credentials;
  private boolean fake;

  /**
   * With {@link ScramCredentials#DEFAULT_ITERATIONS} for unknown users and {@link
   * AuthzidPolicy#SAME_AS_USERNAME}.
   *
   * @param secret at least 16 bytes, stable across restarts and the same on every server
   */
  public ScramSha256Mechanism(ScramCredentialLookup lookup, byte[] secret) {
    this(lookup, secret, ScramCredentials.DEFAULT_ITERATIONS, AuthzidPolicy.SAME_AS_USERNAME);
  }

  /**
   * @param lookup finds the user's credentials
   * @param secret at least 16 bytes (copied), stable across restarts and the same on every server
   * @param fakeIterations iteration count shown for unknown users: the one real accounts use
   * @param policy whether an authzid other than the username is allowed
   */
  public ScramSha256Mechanism(
      ScramCredentialLookup lookup, byte[] secret, int fakeIterations, AuthzidPolicy policy) {
    this(lookup, secret, fakeIterations, policy, ScramSha256Mechanism::randomNonce);
  }

  ScramSha256Mechanism(
      ScramCredentialLookup lookup,
      byte[] secret,
      int fakeIterations,
      AuthzidPolicy policy,
      Supplier<String> serverNonce) {
    this.lookup = requireNonNull(lookup, "lookup");
    requireNonNull(secret, "secret");
    if (secret.length < 16) {
      throw new IllegalArgumentException("secret of " + secret.length + " bytes; 16 at least");
    }
    if (fakeIterations < ScramCredentials.MIN_ITERATIONS
        || fakeIterations > ScramCredentials.MAX_ITERATIONS) {
      throw new IllegalArgumentException("fakeIterations " + fakeIterations);
    }
    this.secret = secret.clone();
    this.fakeIterations = fakeIterations;
    this.policy = requireNonNull(policy, "policy");
    this.serverNonce = requireNonNull(serverNonce, "serverNonce");
  }

  @Override
  public String name() {
    return NAME;
  }

  /** SCRAM is client-first: an empty challenge when the client sent no initial response. */
  @Override
  public SaslResult.Challenge initialChallenge() {
    return new SaslResult.Challenge("");
  }

  @Override
  public SaslResult evaluate(byte[] response) {
    return switch (state) {
      case FIRST -> fail(clientFirst(response));
      case FINAL -> fail(clientFinal(response));
      case DONE -> throw new IllegalStateException("SCRAM exchange is over");
    };
  }

  private SaslResult fail(SaslResult r) {
    if (!(r instanceof SaslResult.Challenge)) {
      state = State.DONE;
    }
    return r;
  }

  private static SaslResult failure(SaslError e) {
    return new SaslResult.Failure(e);
  }

  // RFC 5802 §7: client-first-message = gs2-header client-first-message-bare
  private SaslResult clientFirst(byte[] response) {
    String m = Utf8.decode(response);
    if (m == null) {
      return failure(SaslError.INVALID_ENCODING);
    }
    // gs2-header = gs2-cbind-flag "," [ authzid ] ","
    if (m.startsWith("p=")) {
      return failure(SaslError.CHANNEL_BINDING_NOT_SUPPORTED);
    }
    if (!m.startsWith("n,") && !m.startsWith("y,")) {
      return failure(SaslError.INVALID_ENCODING);
    }
    int comma = m.indexOf(',', 2);
    if (comma < 0) {
      return failure(SaslError.INVALID_ENCODING);
    }
    String az = m.substring(2, comma);
    String zid = "";
    if (!az.isEmpty()) {
      if (!az.startsWith("a=")) {
        return failure(SaslError.INVALID_ENCODING);
      }
      zid = saslName(az.substring(2));
      if (zid == null || zid.isEmpty()) {
        return failure(SaslError.INVALID_ENCODING);
      }
    }
    gs2Header = m.substring(0, comma + 1);
    clientFirstBare = m.substring(comma + 1);
    // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
    String[] attrs = clientFirstBare.split(",", -1);
    if (attrs[0].startsWith("m=")) {
      return failure(SaslError.EXTENSIONS_NOT_SUPPORTED);
    }
    if (attrs.length < 2 || !attrs[0].startsWith("n=") || !attrs[1].startsWith("r=")) {
      return failure(SaslError.INVALID_ENCODING);
    }
    String user = saslName(attrs[0].substring(2));
    if (user == null || user.isEmpty()) {
      return failure(SaslError.INVALID_USERNAME_ENCODING);
    }
    String clientNonce = attrs[1].substring(2);
    if (!printable(clientNonce)) {
      return failure(SaslError.INVALID_ENCODING);
    }
    username = SaslPrep.prepareOrRaw(user);
    authzid = zid.isEmpty() ? "" : SaslPrep.prepareOrRaw(zid);
    if (authzid.equals(username)) {
      authzid = "";
    }
    if (!authzid.isEmpty() && policy == AuthzidPolicy.SAME_AS_USERNAME) {
      return failure(SaslError.AUTHORIZATION_REFUSED);
    }
    Optional<ScramCredentials> found = lookup.find(username);
    fake = found.isEmpty();
    credentials = found.orElseGet(() -> fakeCredentials(username));
    nonce = clientNonce + serverNonce.get();
    serverFirst =
        "r="
            + nonce
            + ",s="
            + Base64.getEncoder().encodeToString(credentials.saltRef())
            + ",i="
            + credentials.iterations();
    state = State.FINAL;
    return new SaslResult.Challenge(serverFirst);
  }

  // RFC 5802 §7: client-final-message = channel-binding "," nonce ["," extensions] "," proof
  private SaslResult clientFinal(byte[] response) {
    String m = Utf8.decode(response);
    if (m == null) {
      return failure(SaslError.INVALID_ENCODING);
    }
    int p = m.lastIndexOf(",p=");
    if (!m.startsWith("c=") || p < 0) {
      return failure(SaslError.INVALID_ENCODING);
    }
    String withoutProof = m.substring(0, p);
    String[] attrs = withoutProof.split(",", -1);
    if (attrs.length < 2 || !attrs[1].startsWith("r=")) {
      return failure(SaslError.INVALID_ENCODING);
    }
    byte[] cbind;
    byte[] proof;
    try {
      cbind = Base64.getDecoder().decode(attrs[0].substring(2));
      proof = Base64.getDecoder().decode(m.substring(p + 3));
    } catch (IllegalArgumentException e) {
      return failure(SaslError.INVALID_ENCODING);
    }
    // RFC 5802 §5.1: without channel binding, c= is the base64 of the GS2 header.
    if (!Arrays.equals(cbind, gs2Header.getBytes(StandardCharsets.UTF_8))) {
      return failure(SaslError.CHANNEL_BINDINGS_DONT_MATCH);
    }
    if (!attrs[1].substring(2).equals(nonce)) {
      return failure(SaslError.OTHER_ERROR);
    }
    if (proof.length != ScramCredentials.KEY_BYTES) {
      return failure(SaslError.INVALID_PROOF);
    }
    // RFC 5802 §3: AuthMessage = client-first-message-bare "," server-first-message ","
    //                            client-final-message-without-proof
    byte[] authMessage =
        (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
    byte[] clientSignature = ScramCredentials.hmac(credentials.storedKeyRef(), authMessage);
    byte[] clientKey = new byte[proof.length];
    for (int i = 0; i < proof.length; i++) {
      clientKey[i] = (byte) (proof[i] ^ clientSignature[i]); // ClientKey = ClientProof XOR Sig
    }
    boolean ok =
        MessageDigest.isEqual(ScramCredentials.sha256(clientKey), credentials.storedKeyRef());
    if (!ok || fake) {
      return failure(SaslError.INVALID_PROOF);
    }
    byte[] serverSignature = ScramCredentials.hmac(credentials.serverKeyRef(), authMessage);
    return new SaslResult.Success(
        authzid, username, Optional.of("v=" + Base64.getEncoder().encodeToString(serverSignature)));
  }

  /** Salt and keys derived from the username under the secret; no password matches them. */
  private ScramCredentials fakeCredentials(String user) {
    byte[] name = user.getBytes(StandardCharsets.UTF_8);
    byte[] salt = ScramCredentials.hmac(secret, concat("carbonio scram salt\0", name));
    byte[] stored = ScramCredentials.hmac(secret, concat("carbonio scram stored\0", name));
    byte[] server = ScramCredentials.hmac(secret, concat("carbonio scram server\0", name));
    return new ScramCredentials(
        Arrays.copyOf(salt, ScramCredentials.SALT_BYTES), fakeIterations, stored, server);
  }

  private static byte[] concat(String label, byte[] data) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(l, l.length + data.length);
    System.arraycopy(data, 0, out, l.length, data.length);
    return out;
  }

  /** RFC 5802 §7 saslname: "=2C" is ",", "=3D" is "="; any other "=" is invalid (null). */
  private static String saslName(String s) {
    if (s.indexOf('=') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '=') {
        b.append(c);
      } else if (s.startsWith("2C", i + 1)) {
        b.append(',');
        i += 2;
      } else if (s.startsWith("3D", i + 1)) {
        b.append('=');
        i += 2;
      } else {
        return null;
      }
    }
    return b.toString();
  }

  /** RFC 5802 §7: printable = %x21-2B / %x2D-7E (no comma); nonce is 1*printable. */
  private static boolean printable(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e || c == ',') {
        return false;
      }
    }
    return true;
  }

  private static String randomNonce() {
    byte[] b = new byte[NONCE_BYTES];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }
}
