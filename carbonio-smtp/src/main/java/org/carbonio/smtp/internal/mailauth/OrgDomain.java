package org.carbonio.smtp.internal.mailauth;

import com.google.common.net.InternetDomainName;

/**
 * The Organizational Domain of RFC 7489 §3.2: the public suffix plus one label, with Mozilla's
 * Public Suffix List as Guava bundles it (ICANN and private sections). A name under no listed
 * suffix falls back to the list's implicit "*" rule: its last two labels. Immutable.
 */
public final class OrgDomain {
  private OrgDomain() {}

  /** The organizational domain of {@code domain} (lower case, no trailing dot). */
  public static String of(String domain) {
    String d = Names.domain(domain);
    try {
      InternetDomainName n = InternetDomainName.from(d);
      if (n.isUnderPublicSuffix()) {
        return n.topPrivateDomain().toString();
      }
      if (n.isPublicSuffix()) {
        return d;
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      // not a name Guava accepts (e.g. underscores): use the implicit rule
    }
    String[] labels = d.split("\\.");
    return labels.length <= 2 ? d : labels[labels.length - 2] + "." + labels[labels.length - 1];
  }
}
