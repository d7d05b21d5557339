package dev.quarry.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quarry.action.TaskOutcome;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import dev.quarry.io.StorageErrors;
import dev.quarry.manifest.KeyCodec;
import dev.quarry.playbook.ReportSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVPrinter;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Writes a job's completion report exactly as S3 Batch Operations does (Report_CSV_20180820):
 * result files without header, keys percent-encoded as in manifests, then the report's
 * manifest.json listing them with their MD5s. Streams: memory does not grow with the task count.
 *
 * <p>The format, as AWS's documentation and reports seen in public repositories show it:
 *
 * <ul>
 *   <li>Layout: {@code <prefix>/job-<jobId>/manifest.json} and {@code
 *       <prefix>/job-<jobId>/results/<name>.csv}; AWS's names are 40 hex digits (a SHA-1 of
 *       something unpublished), so readers must treat them as opaque. This writer uses the SHA-1 of
 *       the job id, the status and the creation date.
 *   <li>Succeeded and failed tasks go to separate results files; a status with no task has no file.
 *   <li>manifest.json is one object with, in this order, {@code Format} ({@code
 *       "Report_CSV_20180820"}), {@code ReportCreationDate} (ISO-8601 UTC, e.g. {@code
 *       2019-04-05T17:48:39.725Z}; AWS's own reports have been seen with nanoseconds too), {@code
 *       Results} (an array of {@code {TaskExecutionStatus: "succeeded"|"failed", Bucket,
 *       MD5Checksum: 32 lower-case hex digits, Key}}, Bucket and Key naming the results object in
 *       full) and {@code ReportSchema} ({@code "Bucket, Key, VersionId, TaskStatus, ErrorCode,
 *       HTTPStatusCode, ResultMessage"}). There is no job id field: the folder name carries it.
 *   <li>Results rows: no header, seven RFC 4180 fields, quoted only where needed. Although
 *       ReportSchema names ErrorCode before HTTPStatusCode, every row AWS has published carries the
 *       HTTP status in the fifth field and the error code in the sixth: {@code
 *       bucket,key,,succeeded,200,,Successful}, {@code bucket,key,,failed,400,InvalidRequest,Task
 *       failed due to missing VersionId}, {@code bucket,key,,failed,200,PermanentFailure,"Lambda
 *       returned ..."}. This writer follows the rows, not the schema string, and writes the schema
 *       string unchanged; {@link CompletionReportReader} accepts either order.
 *   <li>The version field is empty when the task's manifest row had none. Keys are percent-encoded
 *       like manifest keys ({@link KeyCodec}); the bucket is written as is.
 *   <li>Reports are encrypted with SSE-S3; this writer asks for {@code AES256} on every object.
 * </ul>
 *
 * <p>AWS writes a report only when at least one task ran and the job ended Complete, Failed or
 * Cancelled. That is the caller's decision: this writer writes whatever it is given, even a report
 * with no results file (a FAILED-scope report of a job where nothing failed).
 *
 * <p>Locally, results files are written under temporary names in {@code results/} and renamed when
 * {@link #finish()} runs; manifest.json is written last, atomically, so a reader never sees a
 * manifest that names a missing file. Its Bucket is empty and its Keys are relative to the prefix
 * folder. Once manifest.json is written, every other file in {@code results/} is deleted: what an
 * earlier write of the same report left (a process killed before its job ended writes the report
 * again, under new names), so a report has exactly one set of result files however often it is
 * written. A local write that fails (a full disk) fails with an external error naming the path and
 * the cause. In S3, results are staged in a temporary folder, uploaded on {@link #finish()}, then
 * manifest.json is uploaded.
 */
public final class CompletionReportWriter implements AutoCloseable {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final ReportLocation location;
  private final String jobId;
  private final ReportSpec.Scope scope;
  private final S3Client s3;
  private final Instant created;
  private final Path staging;
  private final boolean stagingIsTemporary;
  private final Map<TaskOutcome.Status, Part> parts = new EnumMap<>(TaskOutcome.Status.class);
  private boolean done;

  private CompletionReportWriter(
      ReportLocation location, String jobId, ReportSpec.Scope scope, S3Client s3, Clock clock)
      throws IOException {
    this.location = location;
    this.jobId = jobId;
    this.scope = scope;
    this.s3 = s3;
    this.created = clock.instant();
    if (location instanceof ReportLocation.Local local) {
      this.staging =
          local.prefix().resolve(ReportFormat.jobFolder(jobId)).resolve(ReportFormat.RESULTS);
      this.stagingIsTemporary = false;
      Files.createDirectories(staging);
    } else {
      requireNonNull(s3, "s3 is null for an S3 report location");
      this.staging = Files.createTempDirectory("quarry-report-");
      this.stagingIsTemporary = true;
    }
  }

  /**
   * @param s3 the client for an {@link ReportLocation.S3} location; unused for a local one
   * @param scope ALL writes every task; FAILED only failed ones
   */
  public static CompletionReportWriter open(
      ReportLocation location, String jobId, ReportSpec.Scope scope, S3Client s3) {
    return open(location, jobId, scope, s3, Clock.systemUTC());
  }

  /**
   * As {@link #open(ReportLocation, String, ReportSpec.Scope, S3Client)}, dated by {@code clock}.
   */
  public static CompletionReportWriter open(
      ReportLocation location, String jobId, ReportSpec.Scope scope, S3Client s3, Clock clock) {
    requireNonNull(location, "location is null");
    requireNonNull(jobId, "jobId is null");
    requireNonNull(scope, "scope is null");
    requireNonNull(clock, "clock is null");
    ReportFormat.jobFolder(jobId);
    try {
      return new CompletionReportWriter(location, jobId, scope, s3, clock);
    } catch (IOException e) {
      throw writeFailure("the report of job " + jobId, location, e);
    }
  }

  /**
   * An I/O failure as an external error: the disk or folder is the user's to mend, and the message
   * says which path and why ("no space left on the device" rather than the bare errno text).
   */
  static QuarryException writeFailure(String what, Object where, IOException e) {
    String reason =
        StorageErrors.noSpace(e) ? "no space left on the device" : StorageErrors.reason(e);
    String path =
        where instanceof ReportLocation.Local local ? local.prefix().toString() : where.toString();
    return QuarryException.external(
        ErrorCode.STORAGE_FAILED, "cannot write " + what + " in " + path + ": " + reason, e);
  }

  public void write(TaskResult result) {
    requireNonNull(result, "result is null");
    if (done) {
      throw new IllegalStateException("report of job " + jobId + " is already finished");
    }
    TaskOutcome outcome = result.outcome();
    if (scope == ReportSpec.Scope.FAILED && outcome.succeeded()) {
      return;
    }
    Part part = parts.get(outcome.status());
    try {
      if (part == null) {
        part = new Part(outcome.status());
        parts.put(outcome.status(), part);
      }
      part.printer.printRecord(
          result.bucket(),
          KeyCodec.encode(result.key()),
          result.versionId() == null ? "" : result.versionId(),
          outcome.status().reportValue(),
          outcome.httpStatus() > 0 ? Integer.toString(outcome.httpStatus()) : "",
          outcome.errorCode() == null ? "" : outcome.errorCode(),
          outcome.message());
    } catch (IOException e) {
      throw writeFailure("the report of job " + jobId, staging, e);
    }
  }

  /**
   * Writes the results and manifest.json (atomically for a local report) and says what is where.
   */
  public CompletionReport finish() {
    if (done) {
      throw new IllegalStateException("report of job " + jobId + " is already finished");
    }
    done = true;
    try {
      for (Part part : parts.values()) {
        part.printer.close();
      }
      return location instanceof ReportLocation.Local
          ? finishLocal()
          : finishS3((ReportLocation.S3) location);
    } catch (IOException e) {
      throw writeFailure("the report of job " + jobId, staging, e);
    } catch (UncheckedIOException e) {
      throw writeFailure("the report of job " + jobId, staging, e.getCause());
    } finally {
      close();
    }
  }

  private CompletionReport finishLocal() throws IOException {
    Path jobDir = staging.getParent();
    List<CompletionReport.ResultFile> files = new ArrayList<>();
    List<Map<String, Object>> entries = new ArrayList<>();
    for (Part part : parts.values()) {
      Path target = staging.resolve(part.name);
      Files.move(
          part.file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      String relative =
          ReportFormat.jobFolder(jobId) + "/" + ReportFormat.RESULTS + "/" + part.name;
      entries.add(entry(part, "", relative));
      files.add(new CompletionReport.ResultFile(target.toString(), part.status, part.md5()));
    }
    Path manifest = jobDir.resolve(ReportFormat.MANIFEST);
    AtomicFiles.write(manifest, manifestJson(entries));
    deleteAllBut(parts.values().stream().map(p -> Path.of(p.name)).toList());
    return new CompletionReport(jobId, location, manifest.toString(), files);
  }

  /** Deletes what earlier writes of this report left in results/: it is not part of it. */
  private void deleteAllBut(List<Path> names) throws IOException {
    try (var listing = Files.list(staging)) {
      for (Path file : listing.toList()) {
        if (!names.contains(file.getFileName())) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  private CompletionReport finishS3(ReportLocation.S3 remote) {
    String jobPrefix = ReportFormat.jobKeyPrefix(remote.prefix(), jobId);
    List<CompletionReport.ResultFile> files = new ArrayList<>();
    List<Map<String, Object>> entries = new ArrayList<>();
    for (Part part : parts.values()) {
      String key = jobPrefix + ReportFormat.RESULTS + "/" + part.name;
      part.md5();
      put(
          remote.bucket(),
          key,
          "text/csv",
          part.md5Bytes,
          RequestBody.fromFile(part.file),
          part.file.toString());
      entries.add(entry(part, remote.bucket(), key));
      files.add(new CompletionReport.ResultFile(key, part.status, part.md5()));
    }
    String manifestKey = jobPrefix + ReportFormat.MANIFEST;
    byte[] manifest = manifestJson(entries);
    put(
        remote.bucket(),
        manifestKey,
        "application/json",
        md5(manifest),
        RequestBody.fromBytes(manifest),
        ReportFormat.MANIFEST);
    return new CompletionReport(jobId, location, manifestKey, files);
  }

  private void put(
      String bucket, String key, String type, byte[] md5, RequestBody body, String what) {
    try {
      s3.putObject(
          b ->
              b.bucket(bucket)
                  .key(key)
                  .contentType(type)
                  .contentMD5(Base64.getEncoder().encodeToString(md5))
                  .serverSideEncryption(ServerSideEncryption.AES256),
          body);
    } catch (SdkException e) {
      throw QuarryException.external(
          ErrorCode.S3_REQUEST_FAILED,
          "cannot upload "
              + what
              + " of the report of job "
              + jobId
              + " to s3://"
              + bucket
              + "/"
              + key,
          e);
    }
  }

  private Map<String, Object> entry(Part part, String bucket, String key) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("TaskExecutionStatus", part.status.reportValue());
    entry.put("Bucket", bucket);
    entry.put("MD5Checksum", part.md5());
    entry.put("Key", key);
    return entry;
  }

  private byte[] manifestJson(List<Map<String, Object>> results) {
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("Format", ReportFormat.FORMAT);
    manifest.put("ReportCreationDate", ReportFormat.CREATION_DATE.format(created));
    manifest.put("Results", results);
    manifest.put("ReportSchema", ReportFormat.SCHEMA);
    try {
      return (JSON.writeValueAsString(manifest) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a map of strings always renders", e);
    }
  }

  /** Abandons an unfinished report: nothing is left behind. */
  @Override
  public void close() {
    for (Part part : parts.values()) {
      try {
        part.printer.close();
      } catch (IOException ignored) {
        // the file is deleted next; a close failure changes nothing
      }
      deleteQuietly(part.file);
    }
    if (stagingIsTemporary) {
      deleteQuietly(staging);
    }
    done = true;
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // a temporary file left in a temporary folder harms nothing
    }
  }

  static byte[] md5(byte[] bytes) {
    return newMd5().digest(bytes);
  }

  static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }

  /** The results file of one status: a temporary file, its digest and its final name. */
  private final class Part {
    final TaskOutcome.Status status;
    final String name;
    final Path file;
    final MessageDigest digest = newMd5();
    final CSVPrinter printer;
    byte[] md5Bytes;

    Part(TaskOutcome.Status status) throws IOException {
      this.status = status;
      this.name = resultName(status);
      this.file = Files.createTempFile(staging, ".results-", ".tmp");
      this.printer =
          new CSVPrinter(
              new BufferedWriter(
                  new OutputStreamWriter(
                      new DigestOutputStream(Files.newOutputStream(file), digest),
                      StandardCharsets.UTF_8),
                  1 << 16),
              ReportFormat.CSV);
    }

    String md5() {
      if (md5Bytes == null) {
        md5Bytes = digest.digest();
      }
      return HexFormat.of().formatHex(md5Bytes);
    }

    private String resultName(TaskOutcome.Status status) {
      try {
        byte[] sha1 =
            MessageDigest.getInstance("SHA-1")
                .digest(
                    (jobId + "\n" + status.reportValue() + "\n" + created)
                        .getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha1) + ".csv";
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JVM has SHA-1", e);
      }
    }
  }
}
