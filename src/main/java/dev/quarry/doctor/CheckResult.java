package dev.quarry.doctor;

import static java.util.Objects.requireNonNull;

import dev.quarry.config.Redact;

/**
 * One line of the doctor's checklist.
 *
 * @param detail one line: what was found, and for a warning or failure what to do
 */
public record CheckResult(String name, CheckStatus status, String detail) {
  public CheckResult {
    requireNonNull(name, "name is null");
    requireNonNull(status, "status is null");
    // details quote endpoints and SDK messages, which may carry the credentials of a URL
    detail = Redact.text(requireNonNull(detail, "detail is null"));
  }

  public static CheckResult ok(String name, String detail) {
    return new CheckResult(name, CheckStatus.OK, detail);
  }

  public static CheckResult warn(String name, String detail) {
    return new CheckResult(name, CheckStatus.WARN, detail);
  }

  public static CheckResult fail(String name, String detail) {
    return new CheckResult(name, CheckStatus.FAIL, detail);
  }

  public static CheckResult skip(String name, String detail) {
    return new CheckResult(name, CheckStatus.SKIP, detail);
  }
}
