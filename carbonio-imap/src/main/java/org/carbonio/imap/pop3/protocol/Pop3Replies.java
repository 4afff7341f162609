package org.carbonio.imap.pop3.protocol;

import java.time.Duration;

/** The texts of the session's replies, in one place. Immutable (constants and factories). */
public final class Pop3Replies {
  private Pop3Replies() {}

  // RFC 2449 §8 and RFC 3206 response codes
  public static final String IN_USE = "IN-USE";
  public static final String LOGIN_DELAY = "LOGIN-DELAY";
  public static final String SYS_TEMP = "SYS/TEMP";
  public static final String SYS_PERM = "SYS/PERM";
  public static final String AUTH = "AUTH";

  static Pop3Reply.Ok ok(String text) {
    return new Pop3Reply.Ok(text);
  }

  static Pop3Reply.Err err(String text) {
    return new Pop3Reply.Err("", text);
  }

  static Pop3Reply.Err err(String code, String text) {
    return new Pop3Reply.Err(code, text);
  }

  static Pop3Reply.Err unknown(String verb) {
    return err("Unknown command: " + verb);
  }

  static final Pop3Reply.Err WRONG_STATE = err("Command not valid in this state");
  static final Pop3Reply.Err TOO_MANY_BAD = err("Too many bad commands, closing connection");
  static final Pop3Reply.Err TOO_MANY_AUTH_FAILURES =
      err(AUTH, "Too many authentication failures, closing connection");
  static final Pop3Reply.Err AUTH_FAILED = err(AUTH, "Authentication failed");
  static final Pop3Reply.Err AUTH_UNAVAILABLE =
      err(SYS_TEMP, "Authentication temporarily unavailable");
  static final Pop3Reply.Err AUTH_CANCELLED = err("Authentication cancelled");
  static final Pop3Reply.Err BAD_BASE64 = err("Invalid base64 in SASL response");
  static final Pop3Reply.Err UNKNOWN_MECHANISM = err("Unsupported authentication mechanism");
  static final Pop3Reply.Err NEED_USER = err("USER first");
  static final Pop3Reply.Err PLAINTEXT_USE_STLS =
      err(AUTH, "Plaintext authentication disallowed on non-secure connection; use STLS first");
  static final Pop3Reply.Err PLAINTEXT_NO_TLS =
      err(SYS_PERM, "Plaintext authentication disallowed on non-secure connection");
  static final Pop3Reply.Err IN_USE_REPLY =
      err(IN_USE, "Maildrop is locked by another POP3 session");
  static final Pop3Reply.Err MAILDROP_UNAVAILABLE =
      err(SYS_TEMP, "Maildrop temporarily unavailable, try again later");
  static final Pop3Reply.Err STLS_UNAVAILABLE = err("STLS not available");
  static final Pop3Reply.Err ALREADY_TLS = err("Already using TLS");
  static final Pop3Reply.Err LINE_TOO_LONG = err("Line too long");
  static final Pop3Reply.Err UPDATE_FAILED =
      err(SYS_TEMP, "Some deleted messages were not removed, try again");
  static final Pop3Reply.Err SERVER_ERROR = err(SYS_TEMP, "Internal server error");
  static final Pop3Reply.Err IDLE_TIMEOUT = err("Autologout; idle for too long");
  static final Pop3Reply.Err SHUTTING_DOWN = err(SYS_TEMP, "Server shutting down");

  static final Pop3Reply.Ok BYE = ok("Carbonio POP3 server signing off");
  static final Pop3Reply.Ok STLS_BEGIN = ok("Begin TLS negotiation");
  static final Pop3Reply.Ok USER_OK = ok("Send PASS");
  static final Pop3Reply.Ok NOOP = ok("");
  static final Pop3Reply.Ok CAPA = ok("Capability list follows");
  static final Pop3Reply.Ok MECHANISMS = ok("Mechanisms follow");

  static Pop3Reply.Err loginDelay(Duration wait) {
    return err(
        LOGIN_DELAY,
        "Minimum time between logins not reached; wait " + Math.max(1, wait.toSeconds()) + " s");
  }

  static Pop3Reply.Err noSuchMessage(int count) {
    return err("No such message, only " + count + " messages in maildrop");
  }

  static Pop3Reply.Err alreadyDeleted(int n) {
    return err("Message " + n + " already deleted");
  }

  static Pop3Reply.Err removedMeanwhile(int n) {
    return err("Message " + n + " was removed by another session");
  }

  static Pop3Reply.Ok maildrop(int count, long octets) {
    return ok("Maildrop has " + count + " messages (" + octets + " octets)");
  }

  static Pop3Reply.Ok signingOff(int left) {
    return ok("Carbonio POP3 server signing off (" + left + " messages left)");
  }

  /** The reply to a connection when the server closes while it waits for a command. */
  public static Pop3Reply shuttingDown() {
    return SHUTTING_DOWN;
  }

  /** The reply before closing an idle connection (RFC 1939 §3 autologout). */
  public static Pop3Reply idleTimeout() {
    return IDLE_TIMEOUT;
  }

  /** The reply when handling a command failed unexpectedly. */
  public static Pop3Reply serverError() {
    return SERVER_ERROR;
  }
}
