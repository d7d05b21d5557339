package dev.quarry.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.action.TaskOutcome;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.manifest.KeyCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Reads completion reports in Report_CSV_20180820 format, written by AWS or by the local executor:
 * one reader for both.
 *
 * <p>Each results file is checked against its MD5 in manifest.json before any of its rows is passed
 * on, so a consumer never sees a row of a damaged file (an S3 file is downloaded to a temporary
 * file first; memory stays flat). Results files are looked up by their file name in {@code
 * job-<jobId>/results/} under the given location, whatever prefix the manifest's keys carry: a
 * report copied or synced elsewhere still reads.
 *
 * <p>Tolerant where AWS's format is unconfirmed: the HTTP status and the error code may come in
 * either order (AWS's rows put the status fifth, its ReportSchema names the code first; the field
 * holding a three-digit number is the status), CRLF or LF line ends, a last line with or without
 * its line end, any precision of ReportCreationDate. Strict on the rest: seven fields on every row,
 * a known TaskStatus, well-formed key escapes; an error names the file and line.
 */
public final class CompletionReportReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HTTP_STATUS = Pattern.compile("[1-5][0-9][0-9]");
  private static final CSVFormat CSV = CSVFormat.DEFAULT;

  private CompletionReportReader() {}

  /**
   * Reads {@code <prefix>/job-<jobId>/manifest.json} and streams every result row.
   *
   * @param s3 the client for an {@link ReportLocation.S3} location; unused for a local one
   * @return what the report's manifest.json lists
   */
  public static CompletionReport read(
      ReportLocation location, String jobId, S3Client s3, Consumer<TaskResult> rows) {
    requireNonNull(location, "location is null");
    requireNonNull(jobId, "jobId is null");
    requireNonNull(rows, "rows is null");
    Source source =
        location instanceof ReportLocation.Local local
            ? new LocalSource(local.prefix().resolve(ReportFormat.jobFolder(jobId)))
            : new S3Source(
                requireNonNull(s3, "s3 is null for an S3 report location"),
                ((ReportLocation.S3) location).bucket(),
                ReportFormat.jobKeyPrefix(((ReportLocation.S3) location).prefix(), jobId));
    String manifestName = source.describe(ReportFormat.MANIFEST);
    List<CompletionReport.ResultFile> files = parseManifest(manifestName, source.manifest(jobId));
    for (CompletionReport.ResultFile file : files) {
      String name = fileName(manifestName, file.key());
      String relative = ReportFormat.RESULTS + "/" + name;
      String described = source.describe(relative);
      Path local = source.results(relative);
      try {
        verify(described, local, file.md5Checksum());
        parseResults(described, local, rows);
      } finally {
        source.release(local);
      }
    }
    return new CompletionReport(jobId, location, source.manifestKey(), files);
  }

  private static List<CompletionReport.ResultFile> parseManifest(String name, byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw damaged(name + ": not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw damaged(name + ": not a JSON object", null);
    }
    String format = text(name, root, "Format");
    if (!format.equals(ReportFormat.FORMAT)) {
      throw damaged(
          name + ": Format is '" + format + "'; this reader knows " + ReportFormat.FORMAT, null);
    }
    JsonNode results = root.get("Results");
    if (results == null || !results.isArray()) {
      throw damaged(name + ": Results is missing or not an array", null);
    }
    List<CompletionReport.ResultFile> files = new ArrayList<>();
    int index = 0;
    for (JsonNode result : results) {
      String where = name + ": Results[" + index++ + "]";
      if (!result.isObject()) {
        throw damaged(where + " is not an object", null);
      }
      String status = text(where, result, "TaskExecutionStatus");
      String md5 = text(where, result, "MD5Checksum").toLowerCase(Locale.ROOT);
      if (!md5.matches("[0-9a-f]{32}")) {
        throw damaged(where + ": MD5Checksum '" + md5 + "' is not 32 hex digits", null);
      }
      files.add(
          new CompletionReport.ResultFile(text(where, result, "Key"), status(where, status), md5));
    }
    return files;
  }

  private static String text(String where, JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw damaged(where + ": " + field + " is missing or not a string", null);
    }
    return value.asText();
  }

  private static TaskOutcome.Status status(String where, String value) {
    for (TaskOutcome.Status status : TaskOutcome.Status.values()) {
      if (status.reportValue().equalsIgnoreCase(value)) {
        return status;
      }
    }
    throw damaged(where + ": unknown task status '" + value + "'; valid: succeeded, failed", null);
  }

  private static String fileName(String manifest, String key) {
    String name = key.substring(key.lastIndexOf('/') + 1);
    if (!ReportFormat.RESULT_NAME.matcher(name).matches()) {
      throw damaged(
          manifest + ": results file name '" + name + "' is not one this reader opens", null);
    }
    return name;
  }

  private static void verify(String name, Path file, String expected) {
    var digest = CompletionReportWriter.newMd5();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(expected)) {
      throw damaged(
          name
              + ": MD5 is "
              + actual
              + " but manifest.json says "
              + expected
              + "; the file is damaged or was replaced",
          null);
    }
  }

  private static void parseResults(String name, Path file, Consumer<TaskResult> rows) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = CSV.parse(reader)) {
      Iterator<CSVRecord> records = parser.iterator();
      long lineAfterPrevious = 0;
      while (true) {
        CSVRecord record;
        try {
          if (!records.hasNext()) {
            break;
          }
          record = records.next();
        } catch (UncheckedIOException e) {
          throw damaged(
              name + ":" + (lineAfterPrevious + 1) + ": not CSV: " + e.getCause().getMessage(), e);
        }
        long line = lineAfterPrevious + 1;
        lineAfterPrevious = parser.getCurrentLineNumber();
        // the consumer's own exceptions pass through unchanged
        rows.accept(row(name + ":" + line, record));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
  }

  private static TaskResult row(String where, CSVRecord record) {
    if (record.size() != ReportFormat.FIELDS) {
      throw damaged(
          where + ": expected " + ReportFormat.FIELDS + " fields, got " + record.size(), null);
    }
    String key;
    try {
      // AWS writes a space in a task's key as + where it form-encodes keys (as in its Lambda
      // invocations) and as %20 where it echoes the manifest; the manifests Quarry writes and the
      // reports its executor writes never hold a bare +, so a bare + is a space in both readings
      key = KeyCodec.decode(record.get(1).replace("+", "%20"));
    } catch (IllegalArgumentException e) {
      throw damaged(where + ": key: " + e.getMessage(), e);
    }
    TaskOutcome.Status status = status(where, record.get(3));
    String fifth = record.get(4);
    String sixth = record.get(5);
    int httpStatus;
    String errorCode;
    if (isStatus(fifth)) {
      // as AWS's rows have it: HTTP status, then error code
      httpStatus = Integer.parseInt(fifth);
      errorCode = sixth;
    } else if (isStatus(sixth)) {
      // as AWS's ReportSchema names them: error code, then HTTP status
      httpStatus = Integer.parseInt(sixth);
      errorCode = fifth;
    } else if (fifth.isEmpty() || sixth.isEmpty()) {
      // no status at all (0: unknown); the code is whichever field has one
      httpStatus = 0;
      errorCode = fifth.isEmpty() ? sixth : fifth;
    } else {
      throw damaged(
          where + ": neither '" + fifth + "' nor '" + sixth + "' is an HTTP status code", null);
    }
    String version = record.get(2);
    return new TaskResult(
        record.get(0),
        key,
        version.isEmpty() ? null : version,
        new TaskOutcome(status, errorCode.isEmpty() ? null : errorCode, httpStatus, record.get(6)));
  }

  private static boolean isStatus(String field) {
    return HTTP_STATUS.matcher(field).matches();
  }

  private static QuarryException damaged(String message, Throwable cause) {
    return new QuarryException(ErrorCode.REPORT_UNREADABLE, "completion report " + message, cause);
  }

  /** Where a report's files are: a folder, or a key prefix in a bucket. */
  private interface Source {
    byte[] manifest(String jobId);

    String manifestKey();

    /** A local file with the content of {@code relative}; {@link #release} it after use. */
    Path results(String relative);

    void release(Path file);

    String describe(String relative);
  }

  private record LocalSource(Path jobDir) implements Source {
    @Override
    public byte[] manifest(String jobId) {
      Path file = jobDir.resolve(ReportFormat.MANIFEST);
      try {
        return Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        throw QuarryException.user(
            ErrorCode.REPORT_NOT_FOUND,
            "no completion report for job " + jobId + ": " + file + " does not exist");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }

    @Override
    public String manifestKey() {
      return jobDir.resolve(ReportFormat.MANIFEST).toString();
    }

    @Override
    public Path results(String relative) {
      Path file = jobDir.resolve(relative);
      if (!Files.isRegularFile(file)) {
        throw damaged(file + ": listed in manifest.json but missing", null);
      }
      return file;
    }

    @Override
    public void release(Path file) {}

    @Override
    public String describe(String relative) {
      return jobDir.resolve(relative).toString();
    }
  }

  private record S3Source(S3Client s3, String bucket, String jobPrefix) implements Source {
    @Override
    public byte[] manifest(String jobId) {
      String key = jobPrefix + ReportFormat.MANIFEST;
      try {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
      } catch (NoSuchKeyException e) {
        throw QuarryException.user(
            ErrorCode.REPORT_NOT_FOUND,
            "no completion report for job "
                + jobId
                + ": s3://"
                + bucket
                + "/"
                + key
                + " does not exist");
      } catch (SdkException e) {
        throw QuarryException.external(
            ErrorCode.S3_REQUEST_FAILED, "cannot read s3://" + bucket + "/" + key, e);
      }
    }

    @Override
    public String manifestKey() {
      return jobPrefix + ReportFormat.MANIFEST;
    }

    @Override
    public Path results(String relative) {
      String key = jobPrefix + relative;
      Path file;
      try {
        file = Files.createTempFile("quarry-report-", ".csv");
        Files.delete(file); // the SDK refuses to overwrite
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary file", e);
      }
      try {
        s3.getObject(b -> b.bucket(bucket).key(key), file);
        return file;
      } catch (NoSuchKeyException e) {
        throw damaged(describe(relative) + ": listed in manifest.json but missing", e);
      } catch (SdkException e) {
        release(file);
        throw QuarryException.external(
            ErrorCode.S3_REQUEST_FAILED, "cannot read " + describe(relative), e);
      }
    }

    @Override
    public void release(Path file) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temporary file; nothing depends on it
      }
    }

    @Override
    public String describe(String relative) {
      return "s3://" + bucket + "/" + jobPrefix + relative;
    }
  }
}
