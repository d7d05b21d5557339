package dev.quarry.sandbox.guard;

import java.util.Locale;

/**
 * Which requests a sandbox server accepts, whoever wrote the server: only those addressed to a
 * loopback name and not sent by a web page.
 *
 * <p>Listening on loopback alone does not keep a browser out: a page on any site can send requests
 * to {@code 127.0.0.1:PORT} (and read the answers where CORS allows), and DNS rebinding lets it do
 * so under its own host name, which the browser then puts in {@code Host}. So the {@code Host}
 * header must name this machine's loopback ({@code localhost}, a {@code *.localhost} name, which
 * browsers and resolvers keep on loopback, {@code 127.0.0.0/8} or {@code [::1]}), and a request
 * with an {@code Origin} header is refused outright: browsers send it on cross-origin requests and
 * CORS preflights, and no AWS SDK or CLI ever does.
 *
 * <p>Uses nothing beyond {@code java.base}: it is also loaded into S3Mock's process (see {@link
 * S3MockGuard}).
 */
public final class LoopbackRequests {
  private LoopbackRequests() {}

  /**
   * Why a request with these headers is refused, or {@code null} when it is accepted.
   *
   * @param host the {@code Host} header, null if absent
   * @param origin the {@code Origin} header, null if absent
   */
  public static String refusal(String host, String origin) {
    if (origin != null) {
      return "requests from web pages (with an Origin header, here '"
          + printable(origin)
          + "') are refused by the Quarry sandbox";
    }
    if (host == null || host.isBlank()) {
      return "a request without a Host header is refused by the Quarry sandbox";
    }
    if (!loopbackHost(host)) {
      return "the Quarry sandbox only answers requests addressed to localhost or 127.0.0.1, not '"
          + printable(host)
          + "'";
    }
    return null;
  }

  /** Whether a {@code Host} header value (with or without a port) names loopback. */
  public static boolean loopbackHost(String hostHeader) {
    String host = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      if (end < 0 || !(end == host.length() - 1 || host.charAt(end + 1) == ':')) {
        return false;
      }
      return host.substring(1, end).equals("::1");
    }
    int colon = host.indexOf(':');
    if (colon >= 0) {
      if (host.indexOf(':', colon + 1) >= 0) {
        return false;
      }
      String port = host.substring(colon + 1);
      if (!port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return false;
      }
      host = host.substring(0, colon);
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return host.equals("localhost") || host.endsWith(".localhost") || loopbackIpv4(host);
  }

  private static boolean loopbackIpv4(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
        return false;
      }
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  /** A header value as it may be echoed in an error: no control characters, bounded length. */
  private static String printable(String value) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length() && out.length() < 100; i++) {
      char c = value.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }
}
