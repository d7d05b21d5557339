package dev.quarry.sandbox.control;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.sandbox.guard.LoopbackRequests;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3control.model.CreateJobResponse;
import software.amazon.awssdk.services.s3control.model.DescribeJobResponse;

/**
 * A local S3 Control endpoint for S3 Batch Operations: {@code CreateJob}, {@code DescribeJob},
 * {@code ListJobs} and {@code UpdateJobStatus} over REST-XML on loopback, as the AWS API reference
 * and the SDK model define them, with jobs run by Quarry's local executor against an S3-compatible
 * server. Any AWS SDK or the AWS CLI can drive it; it is also {@code quarry sandbox}'s S3 Control
 * API.
 *
 * <p>Requests carry the account in the {@code x-amz-account-id} header (twelve digits, required);
 * every account sees only its own jobs, and a client request token is idempotent per account.
 * CreateJob downloads the manifest from the S3 server, maps the operation back to a Quarry action
 * ({@link OperationMapping}; others are refused with 400 {@code BadRequestException}) and submits
 * the job; the job then goes New, Preparing, Suspended (confirmation required) or Ready, Active,
 * Completing, Complete, and its completion report is written to the report bucket on the S3 server.
 * Ready jobs run on a background thread, one at a time.
 *
 * <p>Every request must be addressed to a loopback name, come from no web page (no {@code Origin})
 * and be signed (Signature Version 4) with the one key the endpoint was given ({@link
 * Settings#credentials}); anything else is refused with 403 before it is read. Not checked: IAM
 * (RoleArn is only validated and echoed). Errors are S3 Control's {@code
 * <ErrorResponse><Error><Code/><Message/></Error> <RequestId/></ErrorResponse>}.
 *
 * <p>Example, with the AWS SDK for Java v2 (an {@code endpointOverride} is not enough: the SDK's
 * endpoint rules put the account id in front of the host):
 *
 * <pre>{@code
 * try (S3ControlEndpoint endpoint =
 *         S3ControlEndpoint.start(S3ControlEndpoint.Settings.of(stateDir.resolve("control"), s3));
 *     S3ControlClient control =
 *         S3ControlClient.builder()
 *             .region(Region.US_EAST_1)
 *             .credentialsProvider(StaticCredentialsProvider.create(
 *                 AwsBasicCredentials.create("quarry", "quarry")))
 *             .endpointProvider(params -> CompletableFuture.completedFuture(
 *                 Endpoint.builder().url(endpoint.uri()).build()))
 *             .build()) {
 *   String jobId = control.createJob(request).jobId();
 *   control.describeJob(b -> b.accountId("111122223333").jobId(jobId)).job().status();
 * }
 * }</pre>
 */
public final class S3ControlEndpoint implements AutoCloseable {
  private static final String JOBS = "/v20180820/jobs";
  private static final String ACCOUNT_HEADER = "x-amz-account-id";

  private final HttpServer server;
  private final ExecutorService threads;
  private final ControlJobs jobs;
  private final Optional<S3Client> ownedClient;
  private final RequestSignatures signatures;

  private S3ControlEndpoint(
      HttpServer server,
      ExecutorService threads,
      ControlJobs jobs,
      Optional<S3Client> owned,
      RequestSignatures signatures) {
    this.server = server;
    this.threads = threads;
    this.jobs = jobs;
    this.ownedClient = owned;
    this.signatures = signatures;
  }

  /**
   * How the endpoint runs.
   *
   * @param port where it listens on 127.0.0.1; 0 picks a free port
   * @param root where jobs, requests and downloaded manifests are kept (survives restarts)
   * @param region the Region in job ARNs
   * @param s3 the S3-compatible server manifests are read from, tasks run against and reports go to
   * @param executor how the local executor runs each job's tasks
   */
  public record Settings(
      int port,
      Path root,
      String region,
      S3Client s3,
      LocalBatchJobs.Settings executor,
      AwsCredentials credentials) {
    public Settings {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
      }
      requireNonNull(root, "root is null");
      requireNonNull(region, "region is null");
      requireNonNull(s3, "s3 is null");
      requireNonNull(executor, "executor is null");
      requireNonNull(credentials, "credentials is null");
    }

    /** Requests signed with {@link #DEFAULT_CREDENTIALS}, Quarry's own key for local endpoints. */
    public Settings(
        int port, Path root, String region, S3Client s3, LocalBatchJobs.Settings executor) {
      this(port, root, region, s3, executor, DEFAULT_CREDENTIALS);
    }

    /** An ephemeral port, Region us-east-1, the executor's defaults, the default key. */
    public static Settings of(Path root, S3Client s3) {
      return new Settings(0, root, "us-east-1", s3, LocalBatchJobs.Settings.defaults());
    }

    public Settings withPort(int next) {
      return new Settings(next, root, region, s3, executor, credentials);
    }

    public Settings withCredentials(AwsCredentials next) {
      return new Settings(port, root, region, s3, executor, next);
    }
  }

  /**
   * The key a client signs with when the endpoint was given none: the one Quarry's own clients use
   * for a local endpoint without configured credentials. {@code quarry sandbox up} gives its
   * endpoint a random key of its own instead.
   */
  public static final AwsCredentials DEFAULT_CREDENTIALS =
      AwsBasicCredentials.create("quarry", "quarry");

  /** Starts the endpoint; jobs left Ready or running by an earlier one run again. */
  public static S3ControlEndpoint start(Settings settings) {
    return start(settings, Optional.empty(), Clock.systemUTC());
  }

  /**
   * As {@link #start(Settings)}, its jobs dated by {@code jobClock} (request signatures keep the
   * real time): lets a test see a job AWS would have deleted 90 days after it ended.
   */
  static S3ControlEndpoint start(Settings settings, Clock jobClock) {
    return start(settings, Optional.empty(), jobClock);
  }

  /**
   * Starts the endpoint for {@code config}'s S3 endpoint and Region, keeping its jobs under {@code
   * <stateDir>/control}; its S3 client is closed with it. Requests must be signed with {@code
   * config}'s credentials (for a local S3 endpoint without configured ones, {@link
   * #DEFAULT_CREDENTIALS}).
   */
  public static S3ControlEndpoint start(QuarryConfig config, int port) {
    S3Client s3 = S3Clients.create(config, 32);
    try {
      return start(
          new Settings(
              port,
              config.stateDir().resolve("control"),
              config.region(),
              s3,
              LocalBatchJobs.Settings.defaults(),
              S3Clients.credentials(config).resolveCredentials()),
          Optional.of(s3),
          Clock.systemUTC());
    } catch (RuntimeException e) {
      s3.close();
      throw e;
    }
  }

  private static S3ControlEndpoint start(
      Settings settings, Optional<S3Client> owned, Clock jobClock) {
    HttpServer server;
    try {
      server =
          HttpServer.create(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + settings.port(), e);
    }
    ControlJobs jobs;
    try {
      jobs =
          new ControlJobs(
              settings.root(), settings.s3(), settings.region(), settings.executor(), jobClock);
    } catch (RuntimeException e) {
      // a job store that cannot be read: the port bound above must not stay taken
      server.stop(0);
      throw e;
    }
    ExecutorService threads =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "quarry-control-http");
              t.setDaemon(true);
              return t;
            });
    S3ControlEndpoint endpoint =
        new S3ControlEndpoint(
            server,
            threads,
            jobs,
            owned,
            new RequestSignatures(settings.credentials(), Clock.systemUTC()));
    server.createContext("/", endpoint::handle);
    server.setExecutor(threads);
    server.start();
    return endpoint;
  }

  /** Where clients send requests, e.g. {@code http://127.0.0.1:43117}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    jobs.close();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ownedClient.ifPresent(S3Client::close);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String requestId = UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase();
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      byte[] answer;
      try {
        admit(exchange, body);
        answer = route(exchange, body);
      } catch (ControlError e) {
        send(exchange, e.status(), e.xml(requestId), requestId);
        return;
      } catch (RuntimeException e) {
        ControlError internal = ControlError.internal("We encountered an internal error: " + e);
        send(exchange, 500, internal.xml(requestId), requestId);
        return;
      }
      send(exchange, 200, answer, requestId);
    }
  }

  /**
   * Refuses what no SDK or CLI sends but a web page does (see {@link LoopbackRequests}: listening
   * on loopback does not keep out a page using DNS rebinding), then any request not signed with
   * this endpoint's key.
   */
  private void admit(HttpExchange exchange, byte[] body) {
    String refusal =
        LoopbackRequests.refusal(
            exchange.getRequestHeaders().getFirst("Host"),
            exchange.getRequestHeaders().getFirst("Origin"));
    if (refusal != null) {
      throw RequestSignatures.accessDenied(refusal);
    }
    signatures.verify(
        exchange.getRequestMethod(),
        exchange.getRequestURI(),
        exchange.getRequestHeaders()::get,
        body);
  }

  private byte[] route(HttpExchange exchange, byte[] body) {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    Map<String, List<String>> query = query(exchange.getRequestURI().getRawQuery());
    if (path.equals(JOBS) || path.equals(JOBS + "/")) {
      if (method.equals("POST")) {
        String jobId = jobs.create(account(exchange, ControlError::badRequest), body);
        return SdkXml.write("CreateJobResult", CreateJobResponse.builder().jobId(jobId).build());
      }
      if (method.equals("GET")) {
        return SdkXml.write(
            "ListJobsResult",
            jobs.list(
                account(exchange, ControlError::invalidRequest),
                query.getOrDefault("jobStatuses", List.of()),
                first(query, "nextToken"),
                maxResults(first(query, "maxResults"))));
      }
    } else if (path.startsWith(JOBS + "/")) {
      String[] rest = path.substring(JOBS.length() + 1).split("/", -1);
      String jobId = URLDecoder.decode(rest[0], StandardCharsets.UTF_8);
      if (rest.length == 1 && method.equals("GET")) {
        return SdkXml.write(
            "DescribeJobResult",
            DescribeJobResponse.builder()
                .job(jobs.describe(account(exchange, ControlError::badRequest), jobId))
                .build());
      }
      if (rest.length == 2 && rest[1].equals("priority") && method.equals("POST")) {
        return SdkXml.write(
            "UpdateJobPriorityResult",
            jobs.updatePriority(
                account(exchange, ControlError::badRequest), jobId, first(query, "priority")));
      }
      if (rest.length == 2 && rest[1].equals("status") && method.equals("POST")) {
        return SdkXml.write(
            "UpdateJobStatusResult",
            jobs.updateStatus(
                account(exchange, ControlError::badRequest),
                jobId,
                first(query, "requestedJobStatus"),
                first(query, "statusUpdateReason")));
      }
    }
    throw new ControlError(
        501,
        "NotImplemented",
        "The Quarry sandbox's S3 Control endpoint implements CreateJob, DescribeJob, ListJobs,"
            + " UpdateJobPriority and UpdateJobStatus only, not "
            + method
            + " "
            + path);
  }

  /**
   * The account: the {@code x-amz-account-id} header, which every job operation requires.
   *
   * @param refusal the operation's modelled error for an invalid parameter
   */
  private static String account(
      HttpExchange exchange, java.util.function.Function<String, ControlError> refusal) {
    String account = exchange.getRequestHeaders().getFirst(ACCOUNT_HEADER);
    if (account == null || account.isEmpty()) {
      throw refusal.apply("Missing required header for this request: " + ACCOUNT_HEADER);
    }
    if (!account.matches("\\d{12}")) {
      throw refusal.apply(ACCOUNT_HEADER + " must be an account id of 12 digits, not " + account);
    }
    return account;
  }

  private static Integer maxResults(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Integer.valueOf(text);
    } catch (NumberFormatException e) {
      throw ControlError.invalidRequest("maxResults must be a number, not " + text);
    }
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      query.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return query;
  }

  private static void send(HttpExchange exchange, int status, byte[] body, String requestId)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/xml");
    exchange.getResponseHeaders().set("x-amz-request-id", requestId);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
