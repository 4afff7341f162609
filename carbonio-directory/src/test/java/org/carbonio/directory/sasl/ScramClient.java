package org.carbonio.directory.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.carbonio.directory.internal.SaslPrep;

/** A minimal SCRAM-SHA-256 client (RFC 5802 §3) for tests. Not thread-safe. */
final class ScramClient {
  private final String gs2Header;
  private final String clientFirstBare;
  private final String password;
  private byte[] serverSignature;

  ScramClient(String gs2Header, String username, String clientNonce, String password) {
    this.gs2Header = gs2Header;
    this.clientFirstBare =
        "n=" + username.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
    this.password = password;
  }

  String clientFirst() {
    return gs2Header + clientFirstBare;
  }

  String clientFinal(String serverFirst) {
    String nonce = null;
    byte[] salt = null;
    int iterations = 0;
    for (String a : serverFirst.split(",")) {
      switch (a.substring(0, 2)) {
        case "r=" -> nonce = a.substring(2);
        case "s=" -> salt = Base64.getDecoder().decode(a.substring(2));
        case "i=" -> iterations = Integer.parseInt(a.substring(2));
        default -> {}
      }
    }
    String withoutProof =
        "c="
            + Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8))
            + ",r="
            + nonce;
    byte[] authMessage =
        (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
    byte[] salted = ScramCredentials.hi(SaslPrep.prepareOrRaw(password), salt, iterations);
    byte[] clientKey = ScramCredentials.hmac(salted, bytes("Client Key"));
    byte[] storedKey = ScramCredentials.sha256(clientKey);
    byte[] signature = ScramCredentials.hmac(storedKey, authMessage);
    byte[] proof = new byte[clientKey.length];
    for (int i = 0; i < proof.length; i++) {
      proof[i] = (byte) (clientKey[i] ^ signature[i]);
    }
    serverSignature =
        ScramCredentials.hmac(ScramCredentials.hmac(salted, bytes("Server Key")), authMessage);
    return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
  }

  String expectedServerFinal() {
    return "v=" + Base64.getEncoder().encodeToString(serverSignature);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
