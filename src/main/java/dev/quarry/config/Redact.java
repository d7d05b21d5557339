package dev.quarry.config;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * Keeps credentials written into an endpoint URL ({@code http://user:secret@host:port}) out of
 * everything Quarry stores or shows: state files, command output, error messages, doctor results.
 * The user part goes too, since it is often an access key id. Used wherever an endpoint or a
 * message that may quote one leaves the process.
 */
public final class Redact {
  /** What stands where the user info was. */
  public static final String MASK = "***";

  /**
   * A scheme, {@code ://}, then user info up to the {@code @} before the host. RFC 3986 allows no
   * {@code /} in user info, but an AWS secret key often holds one and is typed in as it is, so a
   * {@code /} is taken as part of it: masking a path that holds an {@code @} too is the safe
   * mistake. No {@code ?}, {@code #} or {@code @} (an {@code @} in a password is {@code %40});
   * whitespace ends a URL in free text. A URL that {@link URI} cannot even parse is matched too,
   * since such a URL is quoted in the error that refuses it.
   */
  private static final Pattern USER_INFO =
      Pattern.compile("(?i)\\b([a-z][a-z0-9+.\\-]*://)[^?#@\\s]+@");

  private Redact() {}

  /** The endpoint as it may be shown and stored: without its user info. */
  public static String endpoint(URI endpoint) {
    return endpoint == null ? null : endpoint(endpoint.toString());
  }

  /**
   * Text meant as one endpoint URL, valid or not (as a user typed it): everything between {@code
   * ://} and the last {@code @} before the query or fragment is masked, spaces and {@code /}
   * included (a secret key may hold a {@code /}).
   */
  public static String endpoint(String url) {
    if (url == null) {
      return null;
    }
    int start = url.indexOf("://");
    if (start < 0) {
      return text(url);
    }
    start += 3;
    int end = url.length();
    for (char c : new char[] {'?', '#'}) {
      int i = url.indexOf(c, start);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    int at = url.lastIndexOf('@', end - 1);
    return at < start ? url : url.substring(0, start) + MASK + url.substring(at);
  }

  /** {@code text} with the user info of every URL in it masked; null stays null. */
  public static String text(String text) {
    if (text == null || text.indexOf('@') < 0) {
      return text;
    }
    return USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
  }
}
