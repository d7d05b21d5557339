package dev.quarry.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.testing.ListeningSockets;
import dev.quarry.testing.S3Servers;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The sandbox's S3 servers, as {@code sandbox up} starts them, listen on loopback only and refuse
 * what a web page sends them (a foreign Host under DNS rebinding, an Origin, a CORS preflight),
 * while the AWS SDK still works.
 */
class SandboxGuardIT {
  static Stream<LocalS3Server> servers() {
    return Stream.of(S3Servers.s3mock(), S3Servers.moto());
  }

  @ParameterizedTest(autoCloseArguments = false) // the servers are shared by the whole run
  @MethodSource("servers")
  void listensOnLoopbackOnly(LocalS3Server server) throws Exception {
    // when
    var sockets = ListeningSockets.of(server.pid());

    // then (S3Mock's extra http.port connector used to listen on every interface)
    assertThat(sockets).isNotEmpty().allMatch(ListeningSockets.Socket::loopback);
    assertThat(server.listeners()).allMatch(l -> l.address().equals("127.0.0.1"));
  }

  @ParameterizedTest(autoCloseArguments = false) // the servers are shared by the whole run
  @MethodSource("servers")
  void refusesAForeignHostHeader(LocalS3Server server) throws Exception {
    String bucket = createBucketWithObject(server);

    // when a page under DNS rebinding reads the object: the browser sends the page's host
    String answer = send(server, "GET /" + bucket + "/k HTTP/1.1", "Host: rebind.example.com");

    // then the guard refuses it (its message, not the server's own anonymous-access refusal)
    assertThat(answer)
        .startsWith("HTTP/1.1 403")
        .contains("AccessDenied", "only answers requests addressed to localhost or 127.0.0.1")
        .doesNotContain("hello");
  }

  @ParameterizedTest(autoCloseArguments = false) // the servers are shared by the whole run
  @MethodSource("servers")
  void refusesRequestsFromWebPagesAndTheirCorsPreflights(LocalS3Server server) throws Exception {
    String bucket = createBucketWithObject(server);

    // when
    String preflight =
        send(
            server,
            "OPTIONS /" + bucket + "/k HTTP/1.1",
            "Host: 127.0.0.1",
            "Origin: https://any.example",
            "Access-Control-Request-Method: PUT");
    String read = send(server, "GET /" + bucket + "/k HTTP/1.1", "Host: 127.0.0.1", "Origin: null");

    // then neither is answered, nor allowed to any origin
    assertThat(preflight)
        .startsWith("HTTP/1.1 403")
        .contains("requests from web pages")
        .doesNotContain("Access-Control-Allow-Origin");
    assertThat(read)
        .startsWith("HTTP/1.1 403")
        .contains("requests from web pages")
        .doesNotContain("hello")
        .doesNotContain("Access-Control-Allow-Origin");
  }

  private static String createBucketWithObject(LocalS3Server server) {
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.newBucketName("guard");
    s3.createBucket(b -> b.bucket(bucket));
    s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("hello"));
    // the AWS SDK (Host 127.0.0.1:PORT, no Origin) is answered
    assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")).asUtf8String())
        .isEqualTo("hello");
    return bucket;
  }

  /** A raw HTTP/1.1 request: HTTP clients will not send a Host of our choosing. */
  private static String send(LocalS3Server server, String requestLine, String... headers)
      throws Exception {
    try (Socket socket =
        new Socket(InetAddress.getLoopbackAddress(), server.endpoint().getPort())) {
      StringBuilder head = new StringBuilder(requestLine).append("\r\n");
      for (String header : headers) {
        head.append(header).append("\r\n");
      }
      head.append("Connection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(answer);
      return answer.toString(StandardCharsets.UTF_8);
    }
  }
}
