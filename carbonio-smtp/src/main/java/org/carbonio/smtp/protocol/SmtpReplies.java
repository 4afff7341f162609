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

  /** {@code 502 5.5.1}: a known command this server does not implement (EXPN, AUTH, BDAT…). */
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

  /** {@code 553 5.6.7}: a non-ASCII address without SMTPUTF8 (RFC 6531 §3.5). */
  public static final SmtpReply NON_ASCII_ADDRESS =
      SmtpReply.of(553, "5.6.7", "Non-ASCII addresses need SMTPUTF8, which is not offered");

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

  static SmtpReply ehlo(String hostname, long maxMessageBytes, boolean offerStartTls) {
    List<String> lines = new ArrayList<>();
    lines.add(hostname);
    lines.add("PIPELINING");
    lines.add("SIZE " + maxMessageBytes);
    lines.add("8BITMIME");
    lines.add("ENHANCEDSTATUSCODES");
    if (offerStartTls) {
      lines.add("STARTTLS");
    }
    return new SmtpReply(250, null, lines);
  }

  static SmtpReply help(boolean lmtp) {
    return new SmtpReply(
        214,
        "2.0.0",
        List.of(
            "Commands: " + (lmtp ? "LHLO" : "EHLO HELO") + " MAIL RCPT DATA RSET NOOP QUIT",
            "VRFY HELP STARTTLS; see RFC 5321"));
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
