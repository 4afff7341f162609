package org.carbonio.smtp.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.OptionalLong;

/**
 * A syntactically valid SMTP command (RFC 5321 §4.1), as produced by {@link SmtpDecoder}.
 * Immutable. Commands the engine does not implement never appear here: the decoder answers them
 * itself with a {@link Decoded.Bad}.
 */
public sealed interface SmtpCommand {

  /** {@code HELO domain} (RFC 5321 §4.1.1.1). */
  record Helo(String domain) implements SmtpCommand {
    /** Checks the domain is present. */
    public Helo {
      requireNonNull(domain, "domain");
    }
  }

  /** {@code EHLO domain} (RFC 5321 §4.1.1.1). */
  record Ehlo(String domain) implements SmtpCommand {
    /** Checks the domain is present. */
    public Ehlo {
      requireNonNull(domain, "domain");
    }
  }

  /** {@code LHLO domain} (RFC 2033 §4.1). */
  record Lhlo(String domain) implements SmtpCommand {
    /** Checks the domain is present. */
    public Lhlo {
      requireNonNull(domain, "domain");
    }
  }

  /**
   * {@code MAIL FROM:<reverse-path> [params]} (RFC 5321 §4.1.1.2).
   *
   * @param reversePath the sender without angle brackets and source route, {@code ""} for {@code
   *     <>}
   * @param size the {@code SIZE=} value (RFC 1870), if given
   * @param body the {@code BODY=} value (RFC 6152)
   * @param otherParameters any other parameters, keyword upper-cased, value {@code ""} when absent
   */
  record Mail(
      String reversePath, OptionalLong size, BodyType body, Map<String, String> otherParameters)
      implements SmtpCommand {
    /** Checks components and copies the map. */
    public Mail {
      requireNonNull(reversePath, "reversePath");
      requireNonNull(size, "size");
      requireNonNull(body, "body");
      otherParameters = Map.copyOf(otherParameters);
    }
  }

  /**
   * {@code RCPT TO:<forward-path> [params]} (RFC 5321 §4.1.1.3).
   *
   * @param forwardPath the recipient without angle brackets and source route
   * @param parameters parameters, keyword upper-cased, value {@code ""} when absent
   */
  record Rcpt(String forwardPath, Map<String, String> parameters) implements SmtpCommand {
    /** Checks components and copies the map. */
    public Rcpt {
      requireNonNull(forwardPath, "forwardPath");
      parameters = Map.copyOf(parameters);
    }
  }

  /** {@code DATA} (RFC 5321 §4.1.1.4). */
  record Data() implements SmtpCommand {}

  /** {@code RSET} (RFC 5321 §4.1.1.5). */
  record Rset() implements SmtpCommand {}

  /** {@code VRFY string} (RFC 5321 §4.1.1.6). */
  record Vrfy(String argument) implements SmtpCommand {
    /** Checks the argument is present. */
    public Vrfy {
      requireNonNull(argument, "argument");
    }
  }

  /** {@code HELP [topic]} (RFC 5321 §4.1.1.8); topic {@code ""} when absent. */
  record Help(String topic) implements SmtpCommand {
    /** Checks the topic is present. */
    public Help {
      requireNonNull(topic, "topic");
    }
  }

  /** {@code NOOP} (RFC 5321 §4.1.1.9). */
  record Noop() implements SmtpCommand {}

  /** {@code QUIT} (RFC 5321 §4.1.1.10). */
  record Quit() implements SmtpCommand {}

  /**
   * {@code STARTTLS} (RFC 3207).
   *
   * @param pipelinedInput true when more bytes followed the command in the same input; such a
   *     connection is refused to defeat STARTTLS command injection (CVE-2011-0411)
   */
  record StartTls(boolean pipelinedInput) implements SmtpCommand {}
}
