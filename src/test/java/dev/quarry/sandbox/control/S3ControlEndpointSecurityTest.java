package dev.quarry.sandbox.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.model.S3ControlException;

/**
 * The sandbox's S3 Control endpoint answers only requests signed with its key, addressed to
 * loopback and not sent by a web page; the AWS SDK's own client, given that key, still works.
 */
class S3ControlEndpointSecurityTest {
  private static final String ACCOUNT = "111122223333";
  private static final AwsCredentials KEY =
      AwsBasicCredentials.create("AKIDSANDBOXTEST00001", "sandbox-secret-for-this-test-only");

  @TempDir static Path root;
  private static S3Client s3;
  private static S3ControlEndpoint endpoint;

  @BeforeAll
  static void start() {
    // no job reaches S3 here: ListJobs only reads the endpoint's own store
    s3 =
        S3Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create("http://127.0.0.1:9"))
            .credentialsProvider(StaticCredentialsProvider.create(KEY))
            .build();
    endpoint =
        S3ControlEndpoint.start(
            S3ControlEndpoint.Settings.of(root.resolve("control"), s3).withCredentials(KEY));
  }

  @AfterAll
  static void stop() {
    endpoint.close();
    s3.close();
  }

  @Test
  void theSdkClientWithTheSandboxsKeyWorks() {
    try (S3ControlClient control = client(KEY)) {
      assertThat(control.listJobs(b -> b.accountId(ACCOUNT)).jobs()).isEmpty();
    }
  }

  @Test
  void anSdkClientWithAWrongSecretIsRefused() {
    try (S3ControlClient control =
        client(AwsBasicCredentials.create(KEY.accessKeyId(), "not-the-secret"))) {
      assertThatThrownBy(() -> control.listJobs(b -> b.accountId(ACCOUNT)))
          .isInstanceOfSatisfying(
              S3ControlException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
              });
    }
  }

  @Test
  void anSdkClientWithAnotherAccessKeyIsRefused() {
    try (S3ControlClient control = client(AwsBasicCredentials.create("quarry", "quarry"))) {
      assertThatThrownBy(() -> control.listJobs(b -> b.accountId(ACCOUNT)))
          .isInstanceOfSatisfying(
              S3ControlException.class,
              e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAccessKeyId"));
    }
  }

  @Test
  void anUnsignedCreateJobIsRefusedAndCreatesNothing() throws Exception {
    // given the request the probe sent with curl: no signature at all
    String body = "<CreateJobRequest xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\"/>";
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Host", "127.0.0.1:" + endpoint.uri().getPort());
    headers.put("x-amz-account-id", ACCOUNT);

    // when
    Answer answer = send("POST", "/v20180820/jobs", headers, body);

    // then
    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("<Code>AccessDenied</Code>").contains("not signed");
    try (S3ControlClient control = client(KEY)) {
      assertThat(control.listJobs(b -> b.accountId(ACCOUNT)).jobs()).isEmpty();
    }
  }

  @Test
  void aSignedRequestWithTheRightHostIsAnsweredOnThisPath() throws Exception {
    // the control for the two refusals below: the same raw request, nothing foreign in it
    Answer answer = sendSigned("127.0.0.1:" + endpoint.uri().getPort(), Map.of());

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
  }

  @Test
  void aSignedRequestForAForeignHostIsRefused() throws Exception {
    // given a request as a page under DNS rebinding sends it: signed, but for the page's host
    Answer answer = sendSigned("rebind.example.com:" + endpoint.uri().getPort(), Map.of());

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("AccessDenied").contains("localhost or 127.0.0.1");
  }

  @Test
  void aSignedRequestWithAnOriginIsRefused() throws Exception {
    Answer answer =
        sendSigned(
            "127.0.0.1:" + endpoint.uri().getPort(), Map.of("Origin", "https://any.example"));

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.body()).contains("AccessDenied").contains("web pages");
  }

  // ---------------------------------------------------------------- helpers

  @Test
  void aSignedRequestWithoutTheAccountHeaderIsRefusedAsS3ControlDoes() throws Exception {
    // given a client that signs right but sends no x-amz-account-id (the SDK always sends it)
    String host = "127.0.0.1:" + endpoint.uri().getPort();

    // when
    Answer answer = sendSigned(host, Map.of(), null);

    // then
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body())
        .contains(
            "<ErrorResponse>",
            "<Code>InvalidRequestException</Code>",
            "x-amz-account-id",
            "<RequestId>");
  }

  private static S3ControlClient client(AwsCredentials credentials) {
    URI uri = endpoint.uri();
    return S3ControlClient.builder()
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .endpointProvider(
            params -> CompletableFuture.completedFuture(Endpoint.builder().url(uri).build()))
        .build();
  }

  /** A ListJobs signed with the right key for {@code host}, sent with {@code extra} headers. */
  private static Answer sendSigned(String host, Map<String, String> extra) throws Exception {
    return sendSigned(host, extra, ACCOUNT);
  }

  /** The same, with {@code account} in x-amz-account-id, or none when it is null. */
  private static Answer sendSigned(String host, Map<String, String> extra, String account)
      throws Exception {
    URI at = URI.create("http://" + host);
    String amzDate =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    SdkHttpFullRequest.Builder builder =
        SdkHttpFullRequest.builder()
            .method(SdkHttpMethod.GET)
            .protocol("http")
            .host(at.getHost())
            .port(at.getPort())
            .encodedPath("/v20180820/jobs");
    if (account != null) {
      builder.putHeader("x-amz-account-id", account);
    }
    SdkHttpFullRequest request = builder.build();
    SdkHttpRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(
                            AwsCredentialsIdentity.create(KEY.accessKeyId(), KEY.secretAccessKey()))
                        .request(request)
                        .payload(ContentStreamProvider.fromByteArray(new byte[0]))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.systemUTC()))
            .request();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Host", host);
    signed.headers().forEach((name, values) -> headers.put(name, values.get(0)));
    headers.putAll(extra);
    assertThat(headers).containsKey("Authorization");
    assertThat(amzDate).isNotEmpty();
    return send("GET", "/v20180820/jobs", headers, "");
  }

  private record Answer(int status, String body) {}

  /** A raw HTTP/1.1 request: HTTP clients will not send a Host of our choosing. */
  private static Answer send(String method, String path, Map<String, String> headers, String body)
      throws Exception {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), endpoint.uri().getPort())) {
      StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
      headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      head.append("Content-Length: ").append(content.length).append("\r\n");
      head.append("Connection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      in.transferTo(answer);
      String text = answer.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      return new Answer(status, text.substring(text.indexOf("\r\n\r\n") + 4));
    }
  }
}
