/**
 * Content filters for the MTA: a ClamAV client ({@link org.carbonio.smtp.filter.ClamdClient},
 * clamd's {@code INSTREAM}), a SpamAssassin client ({@link org.carbonio.smtp.filter.SpamdClient},
 * SPAMC/1.5), per-domain policies ({@link org.carbonio.smtp.filter.FilterPolicy}) and the facade
 * the server calls at the end of DATA ({@link org.carbonio.smtp.filter.ContentFilter}), whose
 * {@link org.carbonio.smtp.filter.FilterVerdict} says per recipient whether to deliver, file as
 * Junk, quarantine, refuse for now or refuse for good, which reply to send and which headers to
 * prepend.
 *
 * {@snippet :
 * ContentFilter filter = ContentFilter.builder()
 *     .virusScanner(ClamdClient.builder(new InetSocketAddress("127.0.0.1", 3310)).build())
 *     .spamScanner(SpamdClient.builder(new InetSocketAddress("127.0.0.1", 783)).build())
 *     .build();
 * FilterVerdict verdict = filter.inspect(content, List.of("bob@example.org")).forSmtp();
 * }
 */
package org.carbonio.smtp.filter;
