/**
 * DNS lookups for mail: MX, A, AAAA, TXT, TLSA and PTR, as one small interface ({@link
 * org.carbonio.smtp.dns.DnsResolver}) shared by outbound delivery (RFC 5321 §5), SPF, DKIM, DMARC,
 * MTA-STS and DANE. The implementation on dnsjava talks to configurable resolver addresses, so a
 * test can point it at a DNS server it started on 127.0.0.1.
 */
package org.carbonio.smtp.dns;
