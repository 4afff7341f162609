package org.carbonio.store;

import java.util.List;

/**
 * The result of {@link MailStore#check(CheckOptions)}.
 *
 * <p>Immutable.
 *
 * @param findings every inconsistency found, in the order found
 * @param repaired the findings that were repaired (a subset of {@code findings}; empty unless the
 *     check was asked to repair)
 * @param folders folders checked
 * @param blobs blob rows checked (existence, reference count, content if asked)
 * @param messages messages that reference the checked blobs
 * @param blobFiles blob files listed in the orphan scan (0 when the scan did not run)
 */
public record CheckReport(
    List<CheckFinding> findings,
    List<CheckFinding> repaired,
    long folders,
    long blobs,
    long messages,
    long blobFiles) {

  /** Copies the lists. */
  public CheckReport {
    findings = List.copyOf(findings);
    repaired = List.copyOf(repaired);
  }

  /** Whether nothing was found. */
  public boolean clean() {
    return findings.isEmpty();
  }

  /** The findings that are still there after the check (all of them unless it repaired). */
  public List<CheckFinding> remaining() {
    return findings.stream().filter(f -> !repaired.contains(f)).toList();
  }
}
