package dev.quarry.sandbox.control;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Checks the AWS Signature Version 4 of each request against the one key the endpoint was given, as
 * S3 Control does: the request is signed again with the AWS SDK's own signer, from the method,
 * path, query, the headers the client says it signed and the body, at the client's {@code
 * X-Amz-Date}, and the two signatures must be equal. A request more than 15 minutes off this clock,
 * with another access key, unsigned or presigned (query-string auth) is refused.
 */
final class RequestSignatures {
  private static final Pattern AUTHORIZATION =
      Pattern.compile(
          "AWS4-HMAC-SHA256\\s+Credential=([^/,\\s]+)/(\\d{8})/([^/,\\s]+)/([^/,\\s]+)/aws4_request"
              + "\\s*,\\s*SignedHeaders=([a-z0-9;_.-]+)\\s*,\\s*Signature=([0-9a-f]{64})\\s*");
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Duration MAX_SKEW = Duration.ofMinutes(15);
  private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

  private final AwsCredentialsIdentity key;
  private final Clock clock;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  RequestSignatures(AwsCredentials key, Clock clock) {
    requireNonNull(key, "key is null");
    this.key = AwsCredentialsIdentity.create(key.accessKeyId(), key.secretAccessKey());
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * @param headers the request's headers by name, any case (the lookup ignores case)
   * @throws ControlError 403 unless the request is signed with this endpoint's key
   */
  void verify(String method, URI uri, Function<String, List<String>> headers, byte[] body) {
    String rawQuery = uri.getRawQuery();
    if (rawQuery != null && rawQuery.contains("X-Amz-Signature=")) {
      throw accessDenied(
          "presigned requests are not accepted by the Quarry sandbox; sign the"
              + " request in its Authorization header");
    }
    String authorization = single(headers, "Authorization");
    if (authorization == null) {
      throw accessDenied(
          "the request is not signed: sign it (AWS Signature Version 4) with the sandbox's"
              + " credentials ('quarry sandbox status' shows them)");
    }
    Matcher auth = AUTHORIZATION.matcher(authorization);
    if (!auth.matches()) {
      throw new ControlError(
          400,
          "AuthorizationHeaderMalformed",
          "the Authorization header is not an AWS4-HMAC-SHA256 signature");
    }
    if (!auth.group(1).equals(key.accessKeyId())) {
      throw new ControlError(
          403,
          "InvalidAccessKeyId",
          "the access key "
              + auth.group(1)
              + " is not the sandbox's ('quarry sandbox status'"
              + " shows it)");
    }
    Instant signedAt = signedAt(single(headers, "X-Amz-Date"), auth.group(2));
    Instant now = clock.instant();
    if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
      throw new ControlError(
          403,
          "RequestTimeTooSkewed",
          "the request was signed at " + signedAt + ", more than 15 minutes from " + now);
    }
    String contentSha256 = single(headers, "x-amz-content-sha256");
    if (contentSha256 != null
        && !contentSha256.equals(UNSIGNED_PAYLOAD)
        && !contentSha256.equalsIgnoreCase(sha256(body))) {
      throw new ControlError(
          400, "XAmzContentSHA256Mismatch", "x-amz-content-sha256 is not the body's SHA-256");
    }
    SdkHttpFullRequest request = request(method, uri, headers, auth.group(5).split(";"));
    SignedRequest signed =
        signer.sign(
            r ->
                r.identity(key)
                    .request(request)
                    .payload(ContentStreamProvider.fromByteArray(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, auth.group(4))
                    .putProperty(AwsV4HttpSigner.REGION_NAME, auth.group(3))
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                    .putProperty(
                        AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED,
                        !UNSIGNED_PAYLOAD.equals(contentSha256))
                    .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)));
    Matcher expected =
        AUTHORIZATION.matcher(signed.request().firstMatchingHeader("Authorization").orElse(""));
    if (!expected.matches()
        || !MessageDigest.isEqual(
            expected.group(6).getBytes(StandardCharsets.US_ASCII),
            auth.group(6).getBytes(StandardCharsets.US_ASCII))) {
      throw new ControlError(
          403,
          "SignatureDoesNotMatch",
          "the request signature we calculated does not match the signature you provided; check"
              + " the secret key ('quarry sandbox status' shows the sandbox's credentials)");
    }
  }

  /** The request as the client signed it: only the headers it names in SignedHeaders. */
  private static SdkHttpFullRequest request(
      String method, URI uri, Function<String, List<String>> headers, String[] signedHeaders) {
    String host = single(headers, "Host");
    URI base = URI.create("http://" + (host == null ? "localhost" : host));
    SdkHttpFullRequest.Builder builder =
        SdkHttpFullRequest.builder()
            .method(SdkHttpMethod.fromValue(method))
            .protocol("http")
            .host(base.getHost())
            .port(base.getPort())
            .encodedPath(uri.getRawPath() == null ? "" : uri.getRawPath());
    String rawQuery = uri.getRawQuery();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        builder.appendRawQueryParameter(
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    for (String name : signedHeaders) {
      List<String> values = headers.apply(name);
      if (values != null) {
        builder.putHeader(name, values);
      }
    }
    return builder.build();
  }

  private static Instant signedAt(String amzDate, String scopeDate) {
    if (amzDate == null) {
      throw accessDenied("the request has no X-Amz-Date header");
    }
    try {
      Instant at = Instant.from(AMZ_DATE.parse(amzDate));
      if (!amzDate.startsWith(scopeDate)) {
        throw accessDenied("X-Amz-Date " + amzDate + " is not on the credential scope's date");
      }
      return at;
    } catch (DateTimeParseException e) {
      throw accessDenied("X-Amz-Date is not a date of the form 20260101T120000Z");
    }
  }

  private static String single(Function<String, List<String>> headers, String name) {
    List<String> values = headers.apply(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static String sha256(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static ControlError accessDenied(String message) {
    return new ControlError(403, "AccessDenied", message);
  }
}
