package org.carbonio.smtp;

/**
 * What a listener requires of its clients: the difference between an MX on port 25 and message
 * submission on 587 or 465 (RFC 6409, RFC 8314). Immutable.
 *
 * <table>
 *   <caption>Presets</caption>
 *   <tr><th>preset</th><th>AUTH</th><th>TLS</th></tr>
 *   <tr><td>{@link #MX}</td><td>optional; offered after STARTTLS when an authenticator is
 *       configured</td><td>STARTTLS offered when a TLS context is configured</td></tr>
 *   <tr><td>{@link #SUBMISSION}</td><td>required: MAIL before AUTH gets {@code 530 5.7.0}</td>
 *       <td>STARTTLS; AUTH before it gets {@code 538 5.7.11}</td></tr>
 *   <tr><td>{@link #SUBMISSIONS}</td><td>required</td><td>implicit TLS from the first byte</td></tr>
 * </table>
 *
 * @param authRequired true when MAIL needs a successful AUTH first ({@code 530 5.7.0})
 * @param implicitTls true when the listener runs TLS from the first byte (RFC 8314 §3.3)
 * @param plaintextAuthAllowed true to offer and accept AUTH PLAIN/LOGIN on an unencrypted
 *     connection; false (the presets' choice, RFC 4954 §4) answers AUTH before TLS with {@code 538
 *     5.7.11} and leaves AUTH out of EHLO until TLS is active. Allow it only for loopback tests or
 *     a trusted network.
 */
public record ListenerPolicy(
    boolean authRequired, boolean implicitTls, boolean plaintextAuthAllowed) {

  /** Port 25: AUTH optional, STARTTLS opportunistic. */
  public static final ListenerPolicy MX = new ListenerPolicy(false, false, false);

  /** Port 587: STARTTLS, then AUTH, before any MAIL (RFC 6409 §4). */
  public static final ListenerPolicy SUBMISSION = new ListenerPolicy(true, false, false);

  /** Port 465: implicit TLS, then AUTH, before any MAIL (RFC 8314 §3.3). */
  public static final ListenerPolicy SUBMISSIONS = new ListenerPolicy(true, true, false);

  /** Returns a copy that does or does not allow AUTH without TLS. */
  public ListenerPolicy withPlaintextAuthAllowed(boolean allowed) {
    return new ListenerPolicy(authRequired, implicitTls, allowed);
  }
}
