package org.carbonio.store.internal;

import static org.carbonio.store.StoreException.quote;

import org.carbonio.store.StoreException;

/**
 * Validation and canonical form of folder names.
 *
 * <p>Thread-safe (stateless).
 */
public final class FolderNames {
  /** The inbox's canonical name. */
  public static final String INBOX = "INBOX";

  /** The hierarchy delimiter. */
  public static final char DELIMITER = '/';

  /** Maximum characters (code points) in one segment. */
  public static final int MAX_SEGMENT = 255;

  private FolderNames() {}

  /**
   * Validates {@code name} and returns its canonical form: a first segment equal to "INBOX" in any
   * case becomes "INBOX" (RFC 9051 §5.1).
   *
   * @throws StoreException.Invalid if the name is not acceptable
   */
  public static String canonical(String name) {
    if (name == null || name.isEmpty()) {
      throw new StoreException.Invalid("empty folder name");
    }
    if (name.charAt(0) == DELIMITER || name.charAt(name.length() - 1) == DELIMITER) {
      throw new StoreException.Invalid("folder name starts or ends with '/': " + quote(name));
    }
    int segmentLength = 0;
    int firstEnd = -1;
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      if (Character.isISOControl(cp)) {
        throw new StoreException.Invalid("control character in folder name: " + quote(name));
      }
      if (cp <= 0xFFFF && Character.isSurrogate((char) cp)) {
        throw new StoreException.Invalid("unpaired surrogate in folder name: " + quote(name));
      }
      if (cp == DELIMITER) {
        if (segmentLength == 0) {
          throw new StoreException.Invalid("empty segment in folder name: " + quote(name));
        }
        if (firstEnd < 0) {
          firstEnd = i;
        }
        segmentLength = 0;
      } else if (++segmentLength > MAX_SEGMENT) {
        throw new StoreException.Invalid(
            "folder name segment longer than " + MAX_SEGMENT + ": " + quote(name));
      }
      i += Character.charCount(cp);
    }
    if (firstEnd < 0) {
      firstEnd = name.length();
    }
    if (firstEnd == INBOX.length() && name.regionMatches(true, 0, INBOX, 0, firstEnd)) {
      return INBOX + name.substring(firstEnd);
    }
    return name;
  }

  /** The parents of a canonical name, outermost first ("a/b/c" gives "a", "a/b"). */
  public static java.util.List<String> parents(String name) {
    var out = new java.util.ArrayList<String>();
    for (int i = name.indexOf(DELIMITER); i >= 0; i = name.indexOf(DELIMITER, i + 1)) {
      out.add(name.substring(0, i));
    }
    return out;
  }
}
