package org.carbonio.store;

/** Special-use roles of a folder (RFC 6154 §2). Immutable. */
public enum SpecialUse {
  ALL("\\All"),
  ARCHIVE("\\Archive"),
  DRAFTS("\\Drafts"),
  FLAGGED("\\Flagged"),
  JUNK("\\Junk"),
  SENT("\\Sent"),
  TRASH("\\Trash");

  private final String attribute;

  SpecialUse(String attribute) {
    this.attribute = attribute;
  }

  /** The LIST attribute, for example {@code \Sent}. */
  public String attribute() {
    return attribute;
  }
}
