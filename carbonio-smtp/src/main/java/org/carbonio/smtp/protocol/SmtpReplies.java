package org.carbonio.smtp.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Every reply text of the engine, in one place. Thread-safe (immutable constants and pure
 * factories). Codes follow RFC 5321 §4.2 and enhanced codes RFC 3463.
 */
public final class SmtpReplies {

  private SmtpReplies() {}

  /** {@code 500 5.5.2}: the line exceeded {@code SmtpLimits.maxLineLength} (RFC 5321 §4.5.3.1). */
  public static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, "5.5.2", "Line too long");

  /** {@code 500 5.5.1}: unknown command verb. */
  public static final SmtpReply UNRECOGNIZED =
      SmtpReply.of(500, "5.5.1", "Syntax error, command unrecognized");

  /** {@code 500 5.5.2}: empty or malformed command line. */
  public static final SmtpReply SYNTAX_ERROR = SmtpReply.of(500, "5.5.2", "Syntax error");

  /** {@code 500 5.5.2}: a command line ended in a bare LF or held a bare CR (strict mode). */
  public static final SmtpReply BARE_LINE_BREAK_COMMAND =
      SmtpReply.of(500, "5.5.2", "Syntax error, bare CR or LF in command (RFC 5321 2.3.8)");

  /** {@code 500 5.5.2}: a command line held a NUL octet. */
  public static final SmtpReply NUL_IN_COMMAND =
      SmtpReply.of(500, "5.5.2", "Syntax error, NUL in command");

  /** {@code 500 5.5.6}: a SASL response line exceeded 12288 octets (RFC 4954 §4, §6). */
  public static final SmtpReply AUTH_LINE_TOO_LONG =
      SmtpReply.of(500, "5.5.6", "Authentication Exchange line is too long");

  /** {@code 235 2.7.0}: AUTH succeeded (RFC 4954 §6). */
  public static final SmtpReply AUTH_OK = SmtpReply.of(235, "2.7.0", "Authentication successful");

  /** {@code 535 5.7.8}: wrong credentials (RFC 4954 §6). */
  public static final SmtpReply AUTH_INVALID =
      SmtpReply.of(535, "5.7.8", "Authentication credentials invalid");

  /** {@code 454 4.7.0}: the credentials could not be checked now (RFC 4954 §6). */
  public static final SmtpReply AUTH_TEMPORARY_FAILURE =
      SmtpReply.of(454, "4.7.0", "Temporary authentication failure");

  /** {@code 538 5.7.11}: AUTH before TLS where plaintext AUTH is not allowed (RFC 4954 §6). */
  public static final SmtpReply AUTH_NEEDS_ENCRYPTION =
      SmtpReply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");

  /** {@code 530 5.7.0}: MAIL before AUTH on a listener that requires it (RFC 4954 §6). */
  public static final SmtpReply AUTH_REQUIRED =
      SmtpReply.of(530, "5.7.0", "Authentication required");

  /** {@code 501 5.7.0}: the client cancelled the exchange with {@code *} (RFC 4954 §4). */
  public static final SmtpReply AUTH_CANCELLED =
      SmtpReply.of(501, "5.7.0", "Authentication cancelled");

  /** {@code 501 5.5.2}: a SASL response that is not base64 (RFC 4954 §4). */
  public static final SmtpReply AUTH_BAD_BASE64 =
      SmtpReply.of(501, "5.5.2", "Cannot decode response");

  /** {@code 504 5.5.4}: an AUTH mechanism this server does not offer (RFC 4954 §4). */
  public static final SmtpReply AUTH_MECHANISM_UNKNOWN =
      SmtpReply.of(504, "5.5.4", "Unrecognized authentication type");

  /** {@code 503 5.5.1}: AUTH after a successful AUTH (RFC 4954 §4). */
  public static final SmtpReply ALREADY_AUTHENTICATED =
      SmtpReply.of(503, "5.5.1", "Bad sequence of commands, already authenticated");

  /** {@code 503 5.5.1}: AUTH during a mail transaction (RFC 4954 §4). */
  public static final SmtpReply AUTH_IN_TRANSACTION =
      SmtpReply.of(
          503, "5.5.1", "Bad sequence of commands, AUTH not allowed during a mail transaction");

  /** {@code 503 5.5.1}: DATA and BDAT in one transaction (RFC 3030 §2). */
  public static final SmtpReply DATA_BDAT_MIXED =
      SmtpReply.of(503, "5.5.1", "Bad sequence of commands, DATA and BDAT cannot be mixed");

  /** {@code 503 5.5.1}: RCPT after the transaction's first BDAT chunk (RFC 3030 §2). */
  public static final SmtpReply RCPT_AFTER_BDAT =
      SmtpReply.of(503, "5.5.1", "Bad sequence of commands, RCPT after BDAT");

  /** {@code 503 5.5.1}: DATA after {@code BODY=BINARYMIME} (RFC 3030 §3). */
  public static final SmtpReply BINARYMIME_NEEDS_BDAT =
      SmtpReply.of(503, "5.5.1", "Bad sequence of commands, BODY=BINARYMIME requires BDAT");

  /** {@code 530 5.7.10}: {@code MAIL ... REQUIRETLS} on a connection without TLS (RFC 8689 §4). */
  public static final SmtpReply REQUIRETLS_NEEDS_TLS =
      SmtpReply.of(530, "5.7.10", "REQUIRETLS needs a TLS session");

  /** {@code 502 5.5.1}: a known command this server does not implement (EXPN, TURN…). */
  public static final SmtpReply NOT_IMPLEMENTED =
      SmtpReply.of(502, "5.5.1", "Command not implemented");

  /** {@code 503 5.5.1}: MAIL, RCPT or DATA before HELO/EHLO. */
  public static final SmtpReply SEND_HELO_FIRST =
      SmtpReply.of(503, "5.5.1", "Bad sequence of commands, send HELO/EHLO first");

  /** {@code 503 5.5.1}: MAIL inside a transaction. */
  public static final SmtpReply NESTED_MAIL =
      SmtpReply.of(503, "5.5.1", "Bad sequence of commands, nested MAIL command");

  /** {@code 503 5.5.1}: RCPT or DATA without MAIL. */
  public static final SmtpReply NEED_MAIL =
      SmtpReply.of(503, "5.5.1", "Bad sequence of commands, need MAIL command");

  /** {@code 554 5.5.1}: DATA without an accepted recipient. */
  public static final SmtpReply NO_VALID_RECIPIENTS =
      SmtpReply.of(554, "5.5.1", "No valid recipients");

  /** {@code 503 5.5.1}: STARTTLS on an encrypted connection. */
  public static final SmtpReply TLS_ALREADY_ACTIVE =
      SmtpReply.of(503, "5.5.1", "Bad sequence of commands, TLS already active");

  /** {@code 554 5.5.1}: bytes were pipelined after STARTTLS (RFC 3207 §4.2, CVE-2011-0411). */
  public static final SmtpReply PIPELINED_AFTER_STARTTLS =
      SmtpReply.of(554, "5.5.1", "Input pipelined after STARTTLS, closing connection");

  /** {@code 220 2.0.0}: the TLS handshake may start (RFC 3207 §4). */
  public static final SmtpReply READY_FOR_TLS = SmtpReply.of(220, "2.0.0", "Ready to start TLS");

  /** {@code 250 2.0.0}: generic OK (RSET, NOOP). */
  public static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "OK");

  /** {@code 250 2.1.0}: sender accepted. */
  public static final SmtpReply SENDER_OK = SmtpReply.of(250, "2.1.0", "Sender OK");

  /** {@code 250 2.1.5}: recipient accepted. */
  public static final SmtpReply RECIPIENT_OK = SmtpReply.of(250, "2.1.5", "Recipient OK");

  /** {@code 354}: go ahead with the message (no enhanced code: RFC 3463 has no class 3). */
  public static final SmtpReply START_DATA =
      SmtpReply.of(354, null, "End data with <CR><LF>.<CR><LF>");

  /**
   * {@code 252 2.5.2}: VRFY is refused without saying whether the user exists, as Postfix does with
   * {@code disable_vrfy_command = yes} (RFC 5321 §3.5.3, §7.3).
   */
  public static final SmtpReply VRFY_REFUSED =
      SmtpReply.of(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");

  /** {@code 452 4.5.3}: {@code SmtpLimits.maxRecipients} reached (RFC 5321 §4.5.3.1.10). */
  public static final SmtpReply TOO_MANY_RECIPIENTS =
      SmtpReply.of(452, "4.5.3", "Too many recipients");

  /** {@code 552 5.3.4}: SIZE or DATA above {@code SmtpLimits.maxMessageBytes} (RFC 1870). */
  public static final SmtpReply MESSAGE_TOO_BIG =
      SmtpReply.of(552, "5.3.4", "Message size exceeds fixed maximum message size");

  /** {@code 550 5.6.0}: strict mode found a bare CR or LF in the message (RFC 5321 §2.3.8). */
  public static final SmtpReply BARE_LINE_BREAK_DATA =
      SmtpReply.of(550, "5.6.0", "Message contains bare CR or LF (RFC 5321 2.3.8)");

  /** {@code 452 4.3.1}: the body could not be spooled. */
  public static final SmtpReply INSUFFICIENT_STORAGE =
      SmtpReply.of(452, "4.3.1", "Insufficient system storage");

  /** {@code 451 4.3.0}: an embedder callback failed or timed out. */
  public static final SmtpReply TEMPORARY_FAILURE =
      SmtpReply.of(451, "4.3.0", "Temporary local problem, try again later");

  /**
   * {@code 553 5.6.7}: a non-ASCII address in a transaction without {@code SMTPUTF8}, or one that
   * is not UTF-8 (RFC 6531 §3.5).
   */
  public static final SmtpReply NON_ASCII_ADDRESS =
      SmtpReply.of(553, "5.6.7", "Non-ASCII address needs MAIL FROM with SMTPUTF8");

  static SmtpReply syntax(String usage) {
    return SmtpReply.of(501, "5.5.4", "Syntax: " + usage);
  }

  static SmtpReply badSender(String why) {
    return SmtpReply.of(501, "5.1.7", "Bad sender address syntax: " + why);
  }

  static SmtpReply badRecipient(String why) {
    return SmtpReply.of(501, "5.1.3", "Bad recipient address syntax: " + why);
  }

  static SmtpReply badParameter(String keyword) {
    return SmtpReply.of(501, "5.5.4", "Bad " + keyword + " parameter value");
  }

  static SmtpReply parameterNotRecognized(String keyword) {
    // RFC 5321 §4.1.1.11: 555 for unknown MAIL/RCPT parameters
    return SmtpReply.of(555, "5.5.4", "Parameter " + keyword + " not recognized");
  }

  /** The connection greeting; carries no enhanced code (RFC 2034 §3). */
  static SmtpReply greeting(String hostname, boolean lmtp) {
    return SmtpReply.of(220, null, hostname + (lmtp ? " LMTP" : " ESMTP") + " ready");
  }

  static SmtpReply helo(String hostname) {
    return SmtpReply.of(250, null, hostname);
  }

  /**
   * The EHLO reply: the keywords this listener supports now (RFC 5321 §4.1.1.1).
   *
   * @param offerStartTls STARTTLS (before TLS only)
   * @param offerAuth AUTH PLAIN LOGIN (RFC 4954 §3)
   * @param offerRequireTls REQUIRETLS (on TLS sessions only, RFC 8689 §4)
   */
  static SmtpReply ehlo(
      String hostname,
      long maxMessageBytes,
      boolean offerStartTls,
      boolean offerAuth,
      boolean offerRequireTls) {
    List<String> lines = new ArrayList<>();
    lines.add(hostname);
    lines.add("PIPELINING");
    lines.add("SIZE " + maxMessageBytes);
    lines.add("8BITMIME");
    lines.add("ENHANCEDSTATUSCODES");
    lines.add("DSN");
    lines.add("CHUNKING");
    lines.add("BINARYMIME");
    lines.add("SMTPUTF8");
    if (offerRequireTls) {
      lines.add("REQUIRETLS");
    }
    if (offerAuth) {
      lines.add("AUTH PLAIN LOGIN");
    }
    if (offerStartTls) {
      lines.add("STARTTLS");
    }
    return new SmtpReply(250, null, lines);
  }

  /** {@code 334}: a SASL challenge, base64 (RFC 4954 §4); no enhanced code. */
  static SmtpReply authChallenge(String base64) {
    return SmtpReply.of(334, null, base64);
  }

  /** {@code 250 2.0.0}: a BDAT chunk was read (RFC 3030 §2). */
  static SmtpReply chunkReceived(long octets) {
    return SmtpReply.of(250, "2.0.0", octets + " octets received");
  }

  /** {@code 421 4.7.0}: {@code SmtpLimits.maxAuthFailures} reached. */
  static SmtpReply tooManyAuthFailures(String hostname) {
    return SmtpReply.of(
        421, "4.7.0", hostname + " Too many authentication failures, closing connection");
  }

  static SmtpReply help(boolean lmtp) {
    return new SmtpReply(
        214,
        "2.0.0",
        List.of(
            "Commands: " + (lmtp ? "LHLO" : "EHLO HELO") + " MAIL RCPT DATA RSET NOOP QUIT",
            "BDAT VRFY HELP STARTTLS AUTH; see RFC 5321"));
  }

  static SmtpReply queued(String id) {
    return SmtpReply.of(250, "2.0.0", "OK: queued as " + id);
  }

  static SmtpReply bye(String hostname) {
    return SmtpReply.of(221, "2.0.0", hostname + " closing connection");
  }

  /** {@code 421 4.7.0}: {@code SmtpLimits.maxBadCommands} reached. */
  static SmtpReply tooManyErrors(String hostname) {
    return SmtpReply.of(421, "4.7.0", hostname + " Too many errors, closing connection");
  }

  /** {@code 421 4.4.2}: the client was silent longer than the timeout. */
  static SmtpReply timeout(String hostname) {
    return SmtpReply.of(421, "4.4.2", hostname + " Timeout exceeded, closing connection");
  }

  /** {@code 421 4.3.2}: the server is stopping. */
  static SmtpReply shuttingDown(String hostname) {
    return SmtpReply.of(421, "4.3.2", hostname + " Service shutting down, closing connection");
  }

  /**
   * {@code 421 4.3.2}: {@code SmtpLimits.maxConnections} reached; sent before closing a connection
   * that was not served.
   */
  public static SmtpReply tooManyConnections(String hostname) {
    return SmtpReply.of(421, "4.3.2", hostname + " Too many connections, try again later");
  }
}
