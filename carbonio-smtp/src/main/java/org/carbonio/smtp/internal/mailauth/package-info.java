/**
 * Parsing, canonicalization and crypto shared by SPF, DKIM, ARC and DMARC. Not API: may change in
 * any release.
 */
package org.carbonio.smtp.internal.mailauth;
