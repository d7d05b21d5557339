package dev.quarry.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An S3 endpoint on loopback that answers GetBucketMetadataConfiguration ({@code GET
 * /<bucket>?metadataConfiguration}, path style) with recorded responses, since neither moto 5.2.1
 * nor S3Mock 5.2.0 implements it; every other request is forwarded to an upstream server (moto), so
 * Athena and the rest of S3 stay real.
 *
 * <p>The recorded bodies follow the Response Syntax of AWS's API reference for
 * GetBucketMetadataConfiguration (docs.aws.amazon.com/AmazonS3/latest/API/
 * API_GetBucketMetadataConfiguration.html), filled in with example values, and S3's error body for
 * a bucket without a configuration: 404 {@code MetadataConfigurationNotFound} (the code the AWS
 * Terraform provider treats as "not found": hashicorp/terraform-provider-aws,
 * internal/service/s3/bucket_metadata_configuration.go).
 */
public final class MetadataConfigurationServer implements AutoCloseable {
  private static final Set<String> HOP_BY_HOP =
      Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding");

  private final HttpServer server;
  private final Optional<URI> upstream;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Recorded> recorded = new ConcurrentHashMap<>();
  private final List<String> lookups = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A recorded answer: status and XML body. */
  public record Recorded(int status, String body) {}

  private MetadataConfigurationServer(Optional<URI> upstream) throws IOException {
    this.upstream = upstream;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    server.start();
  }

  /** Answers only metadata lookups; anything else gets 501. */
  public static MetadataConfigurationServer start() {
    return start(Optional.empty());
  }

  /** Answers metadata lookups and forwards everything else to {@code upstream}. */
  public static MetadataConfigurationServer forwardingTo(URI upstream) {
    return start(Optional.of(upstream));
  }

  private static MetadataConfigurationServer start(Optional<URI> upstream) {
    try {
      return new MetadataConfigurationServer(upstream);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The buckets whose configuration was asked for, in order. */
  public List<String> lookups() {
    return List.copyOf(lookups);
  }

  public MetadataConfigurationServer answer(String bucket, Recorded response) {
    recorded.put(bucket, response);
    return this;
  }

  /** A V2 configuration: journal ACTIVE, inventory with the given state and status. */
  public static Recorded v2(String namespace, String inventoryState, String inventoryStatus) {
    return new Recorded(
        200,
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <GetBucketMetadataConfigurationResult>
          <MetadataConfigurationResult>
            <DestinationResult>
              <TableBucketArn>arn:aws:s3tables:us-east-1:111122223333:bucket/aws-s3</TableBucketArn>
              <TableBucketType>aws</TableBucketType>
              <TableNamespace>%1$s</TableNamespace>
            </DestinationResult>
            <InventoryTableConfigurationResult>
              <ConfigurationState>%2$s</ConfigurationState>
              <TableArn>arn:aws:s3tables:us-east-1:111122223333:bucket/aws-s3/table/inventory-id</TableArn>
              <TableName>inventory</TableName>
              <TableStatus>%3$s</TableStatus>
            </InventoryTableConfigurationResult>
            <JournalTableConfigurationResult>
              <RecordExpiration>
                <Days>30</Days>
                <Expiration>ENABLED</Expiration>
              </RecordExpiration>
              <TableArn>arn:aws:s3tables:us-east-1:111122223333:bucket/aws-s3/table/journal-id</TableArn>
              <TableName>journal</TableName>
              <TableStatus>ACTIVE</TableStatus>
            </JournalTableConfigurationResult>
          </MetadataConfigurationResult>
        </GetBucketMetadataConfigurationResult>
        """
            .formatted(namespace, inventoryState, inventoryStatus));
  }

  /**
   * A V1 configuration: a journal the user named, in the namespace {@code aws_s3_metadata} of a
   * table bucket of their own, and no inventory.
   */
  public static Recorded v1(String tableBucket, String journalTable) {
    return new Recorded(
        200,
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <GetBucketMetadataConfigurationResult>
          <MetadataConfigurationResult>
            <DestinationResult>
              <TableBucketArn>arn:aws:s3tables:us-east-1:111122223333:bucket/%1$s</TableBucketArn>
              <TableBucketType>customer</TableBucketType>
              <TableNamespace>aws_s3_metadata</TableNamespace>
            </DestinationResult>
            <JournalTableConfigurationResult>
              <TableName>%2$s</TableName>
              <TableStatus>ACTIVE</TableStatus>
            </JournalTableConfigurationResult>
          </MetadataConfigurationResult>
        </GetBucketMetadataConfigurationResult>
        """
            .formatted(tableBucket, journalTable));
  }

  public static Recorded notConfigured() {
    return new Recorded(
        404,
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>MetadataConfigurationNotFound</Code><Message>The specified bucket does not have a metadata configuration.</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>quarry-test</HostId></Error>
        """);
  }

  public static Recorded noSuchBucket(String bucket) {
    return new Recorded(
        404,
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>%s</BucketName><RequestId>4442587FB7D0A2FA</RequestId><HostId>quarry-test</HostId></Error>
        """
            .formatted(bucket));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      URI uri = exchange.getRequestURI();
      String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
      if (exchange.getRequestMethod().equals("GET")
          && (query.equals("metadataConfiguration")
              || query.startsWith("metadataConfiguration&"))) {
        String bucket = uri.getPath().replaceAll("^/+|/+$", "");
        lookups.add(bucket);
        Recorded answer = recorded.getOrDefault(bucket, noSuchBucket(bucket));
        send(
            exchange,
            answer.status(),
            "application/xml",
            answer.body().strip().getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (upstream.isEmpty()) {
        send(exchange, 501, "text/plain", "not recorded".getBytes(StandardCharsets.UTF_8));
        return;
      }
      forward(exchange);
    }
  }

  private void forward(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(upstream.get().resolve(exchange.getRequestURI().toString()))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
              }
            });
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
              }
            });
    byte[] bytes = response.body();
    boolean empty = bytes.length == 0 || exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(response.statusCode(), empty ? -1 : bytes.length);
    if (!empty) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
