package org.carbonio.imap.testkit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Not thread-safe: the client side of one SCRAM-SHA-256 exchange (RFC 5802 §3, RFC 7677), for
 * tests; ASCII user names and passwords only (no SASLprep).
 */
final class ScramClient {
  private final String user;
  private final String password;
  private final String clientNonce;
  private String clientFirstBare;
  private byte[] salted;
  private String authMessage;

  ScramClient(String user, String password, String clientNonce) {
    this.user = user;
    this.password = password;
    this.clientNonce = clientNonce;
  }

  /** client-first-message, base64. */
  String first() {
    clientFirstBare = "n=" + user + ",r=" + clientNonce;
    return b64("n,," + clientFirstBare);
  }

  /** client-final-message for the base64 server-first message, base64. */
  String last(String serverFirstB64) throws GeneralSecurityException {
    String serverFirst = new String(Base64.getDecoder().decode(serverFirstB64), UTF8);
    Map<String, String> a = attributes(serverFirst);
    if (!a.get("r").startsWith(clientNonce)) throw new IllegalStateException("nonce " + a);
    byte[] salt = Base64.getDecoder().decode(a.get("s"));
    int iterations = Integer.parseInt(a.get("i"));
    SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
    salted =
        f.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
            .getEncoded();
    byte[] clientKey = hmac(salted, "Client Key");
    byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
    String withoutProof = "c=biws,r=" + a.get("r");
    authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
    byte[] signature = hmac(storedKey, authMessage);
    byte[] proof = new byte[clientKey.length];
    for (int i = 0; i < proof.length; i++) proof[i] = (byte) (clientKey[i] ^ signature[i]);
    return b64(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof));
  }

  /** Whether the base64 server-final message proves the server knows the verifier. */
  boolean verify(String serverFinalB64) throws GeneralSecurityException {
    String serverFinal = new String(Base64.getDecoder().decode(serverFinalB64), UTF8);
    byte[] serverKey = hmac(salted, "Server Key");
    String expected = "v=" + Base64.getEncoder().encodeToString(hmac(serverKey, authMessage));
    return serverFinal.equals(expected);
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(UTF8));
  }

  private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data.getBytes(UTF8));
  }

  private static Map<String, String> attributes(String message) {
    Map<String, String> m = new HashMap<>();
    for (String part : message.split(",")) m.put(part.substring(0, 1), part.substring(2));
    return m;
  }
}
