package org.carbonio.smtp.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.DsnReturn;

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
   *     <>}; may hold UTF-8 (then {@code smtputf8} must be set for the session to accept it)
   * @param size the {@code SIZE=} value (RFC 1870), if given
   * @param body the {@code BODY=} value (RFC 6152, RFC 3030 §3)
   * @param ret the {@code RET=} value (RFC 3461 §4.3), or {@code null}
   * @param envelopeId the {@code ENVID=} value decoded from xtext (RFC 3461 §4.4), or {@code ""}
   * @param smtputf8 true when the {@code SMTPUTF8} parameter was given (RFC 6531 §3.4)
   * @param requireTls true when the {@code REQUIRETLS} parameter was given (RFC 8689 §4.1)
   * @param otherParameters any other parameters, keyword upper-cased, value {@code ""} when absent
   *     ({@code AUTH=} of RFC 4954 §5 is checked and dropped)
   */
  record Mail(
      String reversePath,
      OptionalLong size,
      BodyType body,
      DsnReturn ret,
      String envelopeId,
      boolean smtputf8,
      boolean requireTls,
      Map<String, String> otherParameters)
      implements SmtpCommand {
    /** Checks components and copies the map. */
    public Mail {
      requireNonNull(reversePath, "reversePath");
      requireNonNull(size, "size");
      requireNonNull(body, "body");
      requireNonNull(envelopeId, "envelopeId");
      otherParameters = Map.copyOf(otherParameters);
    }

    /** A MAIL with only SIZE and BODY. */
    public Mail(
        String reversePath, OptionalLong size, BodyType body, Map<String, String> otherParameters) {
      this(reversePath, size, body, null, "", false, false, otherParameters);
    }
  }

  /**
   * {@code RCPT TO:<forward-path> [params]} (RFC 5321 §4.1.1.3).
   *
   * @param forwardPath the recipient without angle brackets and source route; may hold UTF-8
   * @param notifyOn the {@code NOTIFY=} values (RFC 3461 §4.1), empty when absent
   * @param originalRecipient the {@code ORCPT=} value as {@code addr-type;address} with the address
   *     decoded from xtext (RFC 3461 §4.2), or {@code ""}
   * @param parameters other parameters, keyword upper-cased, value {@code ""} when absent
   */
  record Rcpt(
      String forwardPath,
      Set<DsnNotify> notifyOn,
      String originalRecipient,
      Map<String, String> parameters)
      implements SmtpCommand {
    /** Checks components and copies the collections. */
    public Rcpt {
      requireNonNull(forwardPath, "forwardPath");
      notifyOn = Set.copyOf(notifyOn);
      requireNonNull(originalRecipient, "originalRecipient");
      parameters = Map.copyOf(parameters);
    }

    /** A RCPT without DSN parameters. */
    public Rcpt(String forwardPath, Map<String, String> parameters) {
      this(forwardPath, Set.of(), "", parameters);
    }
  }

  /**
   * {@code AUTH mechanism [initial-response]} (RFC 4954 §4).
   *
   * @param mechanism the SASL mechanism name, upper-cased
   * @param initialResponse the base64 initial response as sent ({@code "="} for an empty one), or
   *     {@code null} when absent
   */
  record Auth(String mechanism, String initialResponse) implements SmtpCommand {
    /** Checks the mechanism is present. */
    public Auth {
      requireNonNull(mechanism, "mechanism");
    }

    /** Never shows the initial response: it holds credentials. */
    @Override
    public String toString() {
      return "Auth[mechanism=" + mechanism + (initialResponse == null ? "]" : ", ***]");
    }
  }

  /**
   * {@code BDAT chunk-size [LAST]} (RFC 3030 §2). The decoder reads the {@code size} octets that
   * follow as {@link Decoded.DataChunk}s and a {@link Decoded.ChunkEnd}, whatever the session
   * decides.
   *
   * @param size the chunk size in octets
   * @param last true for the last chunk of the message
   */
  record Bdat(long size, boolean last) implements SmtpCommand {
    /** Checks the size. */
    public Bdat {
      if (size < 0) {
        throw new IllegalArgumentException("size " + size + " < 0");
      }
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
