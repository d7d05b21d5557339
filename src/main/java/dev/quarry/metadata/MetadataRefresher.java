package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import dev.quarry.config.Redact;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.ProcessLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.duckdb.DuckDBConnection;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Builds a bucket's local S3 Metadata tables from an S3 endpoint.
 *
 * <p>The inventory is rebuilt from ListObjectVersions (every version and delete marker), with
 * HeadObject and GetObjectTagging per version, read concurrently and streamed into DuckDB. The
 * journal gets one new file per refresh with the changes since the previous inventory, found by SQL
 * over the old and new inventory; the first refresh backfills it from the version history. An
 * incremental refresh (opt-in) reads only the tags of versions the previous inventory shows
 * unchanged, see {@link #refresh(String, int, boolean, RefreshProgress)}.
 *
 * <p>What a local journal cannot know: {@code requester}, {@code source_ip_address} and {@code
 * request_id} are NULL; changes between two refreshes that cancel out (an object put and deleted in
 * between) are not seen; a version that disappeared is recorded at the refresh time, not the time
 * it was deleted; UPDATE_METADATA rows are recorded at the refresh time.
 *
 * <pre>{@code
 * var refresher = new MetadataRefresher(warehouse, s3, "http://127.0.0.1:9090", Clock.systemUTC());
 * RefreshSummary summary = refresher.refresh("starwatcher", 16, RefreshProgress.NONE);
 * }</pre>
 */
public final class MetadataRefresher {
  /** The name of a namespace's inventory file as of its {@code generation}-th commit. */
  static String inventoryFileName(long generation) {
    return String.format("inventory-%010d.parquet", generation);
  }

  public static final int DEFAULT_CONCURRENCY = 16;

  /** S3 bucket naming rules, loosely: also keeps names safe inside file names and SQL. */
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.\\-_]{1,254}");

  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  private final Warehouse warehouse;
  private final S3Client s3;
  private final String endpoint;
  private final Clock clock;
  private final Checkpoint checkpoint;

  /**
   * Called at each step of writing a refresh's tables, by name; tests halt a process there to kill
   * it at that very point.
   */
  @FunctionalInterface
  interface Checkpoint {
    Checkpoint NONE = name -> {};

    void reached(String name);
  }

  /**
   * @param s3 a client whose connection pool holds at least the concurrency used
   * @param endpoint what state.json records as the source, e.g. the endpoint URL or {@code aws}
   */
  public MetadataRefresher(Warehouse warehouse, S3Client s3, String endpoint, Clock clock) {
    this(warehouse, s3, endpoint, clock, Checkpoint.NONE);
  }

  MetadataRefresher(
      Warehouse warehouse, S3Client s3, String endpoint, Clock clock, Checkpoint checkpoint) {
    this.checkpoint = requireNonNull(checkpoint, "checkpoint is null");
    this.warehouse = requireNonNull(warehouse, "warehouse is null");
    this.s3 = requireNonNull(s3, "s3 is null");
    // stored in state.json and quoted in errors: never with the credentials a URL may carry
    this.endpoint = Redact.endpoint(requireNonNull(endpoint, "endpoint is null"));
    this.clock = requireNonNull(clock, "clock is null");
  }

  public static void checkBucketName(String bucket) {
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "'" + bucket + "' is not a valid bucket name (lower-case letters, digits, '.', '-')");
    }
  }

  /** A full refresh: every version read with HeadObject and GetObjectTagging. */
  public RefreshSummary refresh(String bucket, int concurrency, RefreshProgress progress) {
    return refresh(bucket, concurrency, false, progress);
  }

  /**
   * Rebuilds the bucket's inventory and appends the changes to its journal.
   *
   * <p>{@code incremental}: a listed version with a version id that the previous inventory holds
   * with the same size, last-modified time, ETag and storage class is not read with HeadObject; its
   * encryption, user metadata, checksum and multipart fields are taken from the previous inventory,
   * and its tags are read as always. The null version, new versions and anything else are read in
   * full. The tables written are those a full refresh writes only where no version was changed in
   * place but for its tags and storage class. That is the caller's promise, not S3's: S3's
   * UpdateObjectEncryption changes a version's encryption keeping its id, ETag and dates (as
   * Quarry's {@code update-encryption} re-encrypt does), and S3Mock 5.2.0 rewrites a version in
   * place on a copy onto itself, keeping its id, ETag and last-modified time. So it is never the
   * default.
   *
   * @param incremental trust the previous inventory's HeadObject fields of unchanged versions
   */
  public RefreshSummary refresh(
      String bucket, int concurrency, boolean incremental, RefreshProgress progress) {
    checkBucketName(bucket);
    if (concurrency < 1 || concurrency > 1024) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID, "--concurrency must be between 1 and 1024, not " + concurrency);
    }
    requireNonNull(progress, "progress is null");
    String namespace = MetadataTables.namespace(bucket);
    Path namespaceDir = warehouse.root().resolve(namespace);
    ProcessLock lock = lockNamespace(namespaceDir);
    try {
      // what a killed refresh or import left goes before this one adds its own work folder
      RefreshState state = warehouse.beginWrite(namespace, bucket);
      Path work = Files.createTempDirectory(namespaceDir, ".refresh-");
      try {
        return refreshLocked(bucket, namespace, state, concurrency, incremental, progress, work);
      } finally {
        try {
          Warehouse.deleteTree(work);
        } catch (UncheckedIOException e) {
          // left for the next refresh to remove; this one's outcome matters more
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      lock.close();
    }
  }

  private RefreshSummary refreshLocked(
      String bucket,
      String namespace,
      RefreshState state,
      int concurrency,
      boolean incremental,
      RefreshProgress progress,
      Path work)
      throws IOException {
    Instant started = clock.instant();
    Path inventoryDir = warehouse.tableDir(namespace, MetadataTables.INVENTORY);
    List<Path> oldInventory = state.inventoryFiles().stream().map(inventoryDir::resolve).toList();
    try (DuckDBConnection db = DuckDb.open(work.resolve("refresh.duckdb"))) {
      try (Statement statement = db.createStatement()) {
        // spills of large buckets go next to the database, inside the warehouse
        statement.execute("SET temp_directory = " + DuckDb.literal(work.resolve("spill")));
      }
      Counts counts;
      try (PreviousVersions previous =
          incremental ? PreviousVersions.open(oldInventory) : PreviousVersions.none()) {
        counts = collect(db, bucket, concurrency, previous, progress);
      }
      if (counts.reused() > 0) {
        fillReused(db, oldInventory, counts.reused());
      }
      // every listed version has been read: changes after this instant belong to the next refresh
      Instant refreshTime = clock.instant().truncatedTo(ChronoUnit.MICROS);
      return writeTables(db, bucket, namespace, state, counts, refreshTime, started);
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB failed while refreshing " + namespace, e);
    }
  }

  /**
   * @param reused versions read with GetObjectTagging only, their other fields the previous
   *     inventory's (of {@code versions}, or vanished)
   */
  private record Counts(long versions, long deleteMarkers, long vanished, long reused) {}

  /**
   * Takes the HeadObject fields of the versions read without HeadObject from the previous
   * inventory, in DuckDB, matching each on what proved it unchanged (key, version id, size,
   * last-modified time, ETag, storage class), exactly one row each.
   */
  private static void fillReused(DuckDBConnection db, List<Path> oldInventory, long expected)
      throws SQLException {
    try (Statement sql = db.createStatement()) {
      long reused;
      try (ResultSet rs =
          sql.executeQuery(
              "SELECT count(*) FROM " + InventoryWriter.TABLE + " WHERE head_reused")) {
        rs.next();
        reused = rs.getLong(1);
      }
      long filled =
          sql.executeLargeUpdate(
              "UPDATE "
                  + InventoryWriter.TABLE
                  + " n SET is_multipart = o.is_multipart, encryption_status ="
                  + " o.encryption_status, is_bucket_key_enabled = o.is_bucket_key_enabled,"
                  + " kms_key_arn = o.kms_key_arn, checksum_algorithm = o.checksum_algorithm,"
                  + " user_metadata = o.user_metadata, head_reused = FALSE"
                  + " FROM (SELECT key, version_id, size, last_modified_date, e_tag,"
                  + " storage_class, is_multipart, encryption_status, is_bucket_key_enabled,"
                  + " kms_key_arn, checksum_algorithm, user_metadata"
                  + PreviousVersions.versionsOf(oldInventory)
                  + " QUALIFY count(*) OVER (PARTITION BY key, version_id) = 1) o"
                  + " WHERE n.head_reused AND o.key = n.key AND o.version_id = n.version_id"
                  + " AND o.size = n.size AND o.last_modified_date = n.last_modified_date"
                  + " AND o.e_tag = n.e_tag AND o.storage_class = n.storage_class");
      // the reader matched each of them on the same columns of the same files
      if (filled != expected || reused != expected) {
        throw new IllegalStateException(
            "the previous inventory gave "
                + filled
                + " of "
                + reused
                + " versions read without HeadObject their fields");
      }
    }
  }

  /** Lists, reads and streams every version and delete marker into the table {@code listed}. */
  private Counts collect(
      DuckDBConnection db,
      String bucket,
      int concurrency,
      PreviousVersions previous,
      RefreshProgress progress)
      throws SQLException {
    VersionReader reader = new VersionReader(s3);
    AtomicLong done = new AtomicLong();
    AtomicLong reused = new AtomicLong();
    AtomicLong listed = new AtomicLong();
    AtomicLong vanished = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long versions = 0;
    long markers = 0;
    // in-flight reads are bounded too, so that listing never runs far ahead of reading
    int inFlight = concurrency * 4;
    Semaphore slots = new Semaphore(inFlight);
    long startNanos = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency, daemon("quarry-head"));
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(daemon("quarry-progress"));
    boolean[] listingComplete = {false};
    ticker.scheduleAtFixedRate(
        () -> {
          double seconds = Math.max((System.nanoTime() - startNanos) / 1e9, 1e-3);
          progress.update(
              done.get(), listed.get(), listingComplete[0], done.get() / seconds, reused.get());
        },
        500,
        500,
        TimeUnit.MILLISECONDS);
    try (InventoryWriter writer = new InventoryWriter(db, 10_000)) {
      String keyMarker = null;
      String versionIdMarker = null;
      long order = 0;
      do {
        ListObjectVersionsResponse page = listPage(bucket, keyMarker, versionIdMarker);
        // moto ignores the encoding of ListObjectVersions: its keys came through XML as is
        boolean keysAsInXml = !"url".equals(page.encodingTypeAsString());
        List<Listed> entries = merge(page);
        for (Listed entry : entries) {
          throwIfFailed(failure);
          long position = order++;
          listed.incrementAndGet();
          if (entry.marker() != null) {
            DeleteMarkerEntry m = entry.marker();
            markers++;
            writer.add(
                InventoryRow.deleteMarker(
                    bucket,
                    m.key(),
                    VersionReader.tableVersionId(m.versionId()),
                    m.lastModified(),
                    position));
            done.incrementAndGet();
          } else {
            ObjectVersion v = entry.version();
            versions++;
            // a key parsed from XML may not be the key it was (a CR read as LF): read in full
            PreviousVersions.Known known =
                keysAsInXml && v.key().indexOf('\n') >= 0
                    ? null
                    : previous.find(v.key(), v.versionId());
            boolean headKnown = known != null && known.matches(v);
            slots.acquire();
            pool.execute(
                () -> {
                  try {
                    (headKnown
                            ? reader.readTags(bucket, v, position)
                            : reader.read(bucket, v, position, keysAsInXml))
                        .ifPresentOrElse(
                            row -> {
                              try {
                                if (headKnown) {
                                  writer.addReused(row);
                                  reused.incrementAndGet();
                                } else {
                                  writer.add(row);
                                }
                              } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new IllegalStateException("interrupted", e);
                              }
                            },
                            vanished::incrementAndGet);
                    done.incrementAndGet();
                  } catch (Throwable t) {
                    failure.compareAndSet(null, describe(bucket, v, t));
                  } finally {
                    slots.release();
                  }
                });
          }
        }
        if (Boolean.TRUE.equals(page.isTruncated())) {
          if (entries.isEmpty()
              || (Objects.equals(keyMarker, page.nextKeyMarker())
                  && Objects.equals(versionIdMarker, page.nextVersionIdMarker()))) {
            throw new QuarryException(
                ErrorCode.S3_REQUEST_FAILED,
                "ListObjectVersions of "
                    + bucket
                    + " does not advance (key marker '"
                    + page.nextKeyMarker()
                    + "'); the server's paging is broken");
          }
          keyMarker = page.nextKeyMarker();
          versionIdMarker = page.nextVersionIdMarker();
        } else {
          keyMarker = null;
        }
      } while (keyMarker != null);
      listingComplete[0] = true;
      slots.acquire(inFlight);
      throwIfFailed(failure);
      long written = writer.finish();
      if (written + vanished.get() != versions + markers) {
        throw new IllegalStateException(
            "listed "
                + (versions + markers)
                + " versions and markers but stored "
                + written
                + " (+"
                + vanished.get()
                + " gone)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuarryException(ErrorCode.INTERRUPTED, "refresh of " + bucket + " interrupted", e);
    } finally {
      pool.shutdownNow();
      ticker.shutdownNow();
      awaitQuietly(ticker);
      // the ticker's last update may be half a second old: the final counts end the display
      double seconds = Math.max((System.nanoTime() - startNanos) / 1e9, 1e-3);
      progress.update(
          done.get(), listed.get(), listingComplete[0], done.get() / seconds, reused.get());
      progress.finish();
    }
    checkUnique(db, bucket);
    return new Counts(versions - vanished.get(), markers, vanished.get(), reused.get());
  }

  /**
   * Asked-for page size. S3 never returns more than 1,000 entries a page and pages correctly;
   * S3Mock 5.2.0 honours a larger max-keys, and its paging is broken (each page mixes 1,000
   * versions with delete markers of a wider key range, and the next key marker skips entries), so a
   * sandbox bucket is listed in one page.
   */
  private static final int LIST_PAGE_SIZE = 100_000;

  private ListObjectVersionsResponse listPage(
      String bucket, String keyMarker, String versionIdMarker) {
    try {
      return s3.listObjectVersions(
          b ->
              b.bucket(bucket)
                  .keyMarker(keyMarker)
                  .versionIdMarker(versionIdMarker)
                  // XML cannot carry every character of a key (a CR arrives as LF, U+0001 not
                  // at all); the SDK decodes the answer (form decoding: '+' is a space, and
                  // S3, S3Mock and moto send a '+' of a key as %2B)
                  .encodingType(EncodingType.URL)
                  .maxKeys(LIST_PAGE_SIZE));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw QuarryException.user(
            ErrorCode.BUCKET_NOT_FOUND,
            "bucket '" + bucket + "' not found at " + endpoint + " (" + errorCode(e) + ")");
      }
      throw QuarryException.external(
          ErrorCode.S3_REQUEST_FAILED,
          "ListObjectVersions of bucket '" + bucket + "' failed at " + endpoint,
          e);
    } catch (SdkException e) {
      throw QuarryException.external(
          ErrorCode.S3_UNREACHABLE, "cannot reach " + endpoint + " to list " + bucket, e);
    }
  }

  /** A page's versions and delete markers in listing order: by key, newest first within a key. */
  private record Listed(
      String key,
      Instant lastModified,
      boolean latest,
      ObjectVersion version,
      DeleteMarkerEntry marker) {}

  private static List<Listed> merge(ListObjectVersionsResponse page) {
    List<Listed> entries = new ArrayList<>();
    for (ObjectVersion v : page.versions()) {
      entries.add(
          new Listed(v.key(), v.lastModified(), Boolean.TRUE.equals(v.isLatest()), v, null));
    }
    for (DeleteMarkerEntry m : page.deleteMarkers()) {
      entries.add(
          new Listed(m.key(), m.lastModified(), Boolean.TRUE.equals(m.isLatest()), null, m));
    }
    entries.sort(
        Comparator.comparing(Listed::key, MetadataRefresher::compareUtf8)
            .thenComparing(Listed::latest, Comparator.reverseOrder())
            .thenComparing(Listed::lastModified, Comparator.reverseOrder()));
    return entries;
  }

  /** S3 orders keys by their UTF-8 bytes. */
  static int compareUtf8(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static void checkUnique(DuckDBConnection db, String bucket) throws SQLException {
    try (Statement statement = db.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT count(*) - count(DISTINCT (key, coalesce(version_id, ''))) FROM "
                    + InventoryWriter.TABLE)) {
      rs.next();
      long duplicates = rs.getLong(1);
      if (duplicates > 0) {
        throw new QuarryException(
            ErrorCode.S3_REQUEST_FAILED,
            "ListObjectVersions of "
                + bucket
                + " listed "
                + duplicates
                + " versions more than once; the server's paging is broken");
      }
    }
  }

  private RefreshSummary writeTables(
      DuckDBConnection db,
      String bucket,
      String namespace,
      RefreshState state,
      Counts counts,
      Instant refreshTime,
      Instant started)
      throws SQLException, IOException {
    Path inventoryDir = warehouse.tableDir(namespace, MetadataTables.INVENTORY);
    List<Path> oldInventory = state.inventoryFiles().stream().map(inventoryDir::resolve).toList();
    boolean firstRefresh = oldInventory.isEmpty();
    String refreshLiteral = timestampLiteral(refreshTime);
    try (Statement sql = db.createStatement()) {
      if (firstRefresh) {
        sql.execute(
            "CREATE TABLE old_inv ("
                + DuckDb.columnDefinitions(MetadataTables.INVENTORY_COLUMNS)
                + ")");
      } else {
        sql.execute(
            "CREATE VIEW old_inv AS SELECT "
                + DuckDb.columnNames(MetadataTables.INVENTORY_COLUMNS)
                + " FROM read_parquet(["
                + String.join(", ", oldInventory.stream().map(DuckDb::literal).toList())
                + "])");
      }
      // version ids are never empty, so '' stands for the null version in joins
      sql.execute("CREATE MACRO vid(v) AS coalesce(v, '')");
      // maps compare by entry order; tags read twice may come back in another order
      sql.execute("CREATE MACRO canon(m) AS list_sort(map_entries(m))");
      sql.execute("CREATE MACRO secs(t) AS date_trunc('second', t)");
      String objectColumns =
          "size, last_modified_date, e_tag, storage_class, is_multipart, encryption_status,"
              + " is_bucket_key_enabled, kms_key_arn, checksum_algorithm, object_tags,"
              + " user_metadata";
      String newColumns = "n." + objectColumns.replace(", ", ", n.");
      sql.execute(
          "CREATE TABLE changes AS "
              // a version or marker not in the previous inventory; a null version whose
              // content changed was overwritten in an unversioned bucket: also a new object
              + "SELECT n.key, n.version_id,"
              + " CASE WHEN n.is_delete_marker THEN 'DELETE' ELSE 'CREATE' END AS record_type,"
              + " n.last_modified_date AS record_timestamp, n.is_delete_marker, "
              + newColumns
              + ", n.listing_order"
              + " FROM listed n LEFT JOIN old_inv o"
              + " ON o.key = n.key AND vid(o.version_id) = vid(n.version_id)"
              + " WHERE o.key IS NULL"
              + " OR o.is_delete_marker IS DISTINCT FROM n.is_delete_marker"
              + " OR (NOT n.is_delete_marker AND (o.e_tag IS DISTINCT FROM n.e_tag"
              + "   OR secs(o.last_modified_date) IS DISTINCT FROM secs(n.last_modified_date)))"
              + " UNION ALL "
              // the same version with other tags, metadata, storage class or encryption
              + "SELECT n.key, n.version_id, 'UPDATE_METADATA', "
              + refreshLiteral
              + ", FALSE, "
              + newColumns
              + ", n.listing_order"
              + " FROM listed n JOIN old_inv o"
              + " ON o.key = n.key AND vid(o.version_id) = vid(n.version_id)"
              + " WHERE NOT n.is_delete_marker AND o.is_delete_marker IS NOT DISTINCT FROM FALSE"
              + " AND o.e_tag IS NOT DISTINCT FROM n.e_tag"
              + " AND secs(o.last_modified_date) IS NOT DISTINCT FROM secs(n.last_modified_date)"
              + " AND (canon(o.object_tags) IS DISTINCT FROM canon(n.object_tags)"
              + "   OR canon(o.user_metadata) IS DISTINCT FROM canon(n.user_metadata)"
              + "   OR o.storage_class IS DISTINCT FROM n.storage_class"
              + "   OR o.encryption_status IS DISTINCT FROM n.encryption_status"
              + "   OR o.kms_key_arn IS DISTINCT FROM n.kms_key_arn"
              + "   OR o.is_bucket_key_enabled IS DISTINCT FROM n.is_bucket_key_enabled"
              + "   OR o.checksum_algorithm IS DISTINCT FROM n.checksum_algorithm)"
              + " UNION ALL "
              // gone: permanently deleted (a version or a delete marker)
              + "SELECT o.key, o.version_id, 'DELETE', "
              + refreshLiteral
              + ", NULL::BOOLEAN, NULL::BIGINT, NULL::TIMESTAMP, NULL::VARCHAR, NULL::VARCHAR,"
              + " NULL::BOOLEAN, NULL::VARCHAR, NULL::BOOLEAN, NULL::VARCHAR, NULL::VARCHAR,"
              + " NULL::MAP(VARCHAR, VARCHAR), NULL::MAP(VARCHAR, VARCHAR), NULL::BIGINT"
              + " FROM old_inv o ANTI JOIN listed n"
              + " ON o.key = n.key AND vid(o.version_id) = vid(n.version_id)");
      try (PreparedStatement numbered =
          db.prepareStatement(
              "CREATE TABLE journal AS SELECT c.*, lpad(CAST(CAST(? AS BIGINT) + row_number()"
                  + " OVER (ORDER BY record_timestamp, key, listing_order DESC NULLS FIRST,"
                  + " vid(version_id)) AS VARCHAR), "
                  + RefreshState.SEQUENCE_WIDTH
                  + ", '0') AS sequence_number FROM changes c")) {
        numbered.setLong(1, state.lastSequenceNumber());
        numbered.execute();
      }
    }
    long[] byType = journalCounts(db);
    long journalRows = byType[0] + byType[1] + byType[2] + byType[3];

    String bucketLiteral = DuckDb.literal(bucket);
    Path journalFile = null;
    boolean hasJournal = !state.journalFiles().isEmpty();
    if (journalRows > 0 || !hasJournal) {
      journalFile =
          warehouse
              .tableDir(namespace, MetadataTables.JOURNAL)
              .resolve(
                  "journal-"
                      + FILE_TIME.format(refreshTime)
                      + "-"
                      + RefreshState.sequenceNumber(state.lastSequenceNumber() + 1)
                      + ".parquet");
      DuckDb.copyToParquet(
          db,
          "SELECT "
              + bucketLiteral
              + " AS bucket, key, sequence_number, record_type, record_timestamp, version_id,"
              + " is_delete_marker, "
              + objectColumnsList()
              + ", NULL::VARCHAR AS requester, NULL::VARCHAR AS source_ip_address,"
              + " NULL::VARCHAR AS request_id FROM journal ORDER BY sequence_number",
          journalFile);
      checkpoint.reached("journal-written");
    }
    // a new name each commit: the committed inventory stays as it was until the state names this
    // one
    long generation = state.generation() + 1;
    Path inventoryFile = inventoryDir.resolve(inventoryFileName(generation));
    DuckDb.copyToParquet(
        db,
        "SELECT "
            + bucketLiteral
            + " AS bucket, n.key, coalesce(j.sequence_number, o.sequence_number) AS"
            + " sequence_number, n.version_id, n.is_delete_marker, n."
            + objectColumnsList().replace(", ", ", n.")
            + " FROM listed n"
            + " LEFT JOIN journal j ON j.key = n.key AND vid(j.version_id) = vid(n.version_id)"
            + "   AND j.is_delete_marker IS NOT NULL"
            + " LEFT JOIN old_inv o ON o.key = n.key AND vid(o.version_id) = vid(n.version_id)"
            + " ORDER BY n.key, n.listing_order",
        inventoryFile);
    checkpoint.reached("inventory-written");
    // counted over the file written, as an import does: a plan then skips its own check
    boolean oneRowPerKey = MetadataImporter.oneRowPerKey(db, inventoryFile);
    long lastSequence = state.lastSequenceNumber() + journalRows;
    List<String> journalFiles = new ArrayList<>(state.journalFiles());
    if (journalFile != null) {
      journalFiles.add(journalFile.getFileName().toString());
    }
    // the one step that makes this refresh happen; a kill before it leaves the last commit whole
    warehouse.commit(
        namespace,
        new RefreshState(
            bucket,
            namespace,
            endpoint,
            refreshTime,
            state.lastImport(),
            lastSequence,
            generation,
            List.of(inventoryFile.getFileName().toString()),
            journalFiles,
            oneRowPerKey),
        () -> checkpoint.reached("state-written"));
    return new RefreshSummary(
        bucket,
        namespace,
        refreshTime,
        counts.versions(),
        counts.deleteMarkers(),
        counts.vanished(),
        counts.versions() - counts.reused(),
        counts.reused(),
        byType[0],
        byType[1],
        byType[2],
        byType[3],
        journalRows == 0 ? null : RefreshState.sequenceNumber(state.lastSequenceNumber() + 1),
        journalRows == 0 ? null : RefreshState.sequenceNumber(lastSequence),
        firstRefresh,
        inventoryFile.toString(),
        journalFile == null ? null : journalFile.toString(),
        Duration.between(started, clock.instant()));
  }

  private static String objectColumnsList() {
    return "size, last_modified_date, e_tag, storage_class, is_multipart, encryption_status,"
        + " is_bucket_key_enabled, kms_key_arn, checksum_algorithm, object_tags, user_metadata";
  }

  /** CREATE, UPDATE_METADATA, DELETE of a delete marker, permanent DELETE. */
  private static long[] journalCounts(DuckDBConnection db) throws SQLException {
    try (Statement statement = db.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT count(*) FILTER (WHERE record_type = 'CREATE'),"
                    + " count(*) FILTER (WHERE record_type = 'UPDATE_METADATA'),"
                    + " count(*) FILTER (WHERE record_type = 'DELETE' AND is_delete_marker),"
                    + " count(*) FILTER (WHERE record_type = 'DELETE' AND is_delete_marker IS NULL)"
                    + " FROM journal")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)};
    }
  }

  static String timestampLiteral(Instant instant) {
    return "TIMESTAMP '" + LocalDateTime.ofInstant(instant, ZoneOffset.UTC) + "'";
  }

  private static Throwable describe(String bucket, ObjectVersion v, Throwable t) {
    if (t instanceof SdkException e) {
      return QuarryException.external(
          ErrorCode.S3_REQUEST_FAILED,
          "reading s3://"
              + bucket
              + "/"
              + v.key()
              + " version "
              + v.versionId()
              + " failed: "
              + e.getMessage(),
          e);
    }
    return t;
  }

  private static void throwIfFailed(AtomicReference<Throwable> failure) {
    Throwable t = failure.get();
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t != null) {
      throw new IllegalStateException(t);
    }
  }

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null ? "HTTP " + e.statusCode() : e.awsErrorDetails().errorCode();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicLong count = new AtomicLong();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private static void awaitQuietly(ExecutorService executor) {
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One writer per namespace at a time (a refresh or an import), across processes. */
  static ProcessLock lockNamespace(Path namespaceDir) {
    return ProcessLock.tryAcquire(namespaceDir.resolve(".lock"))
        .orElseThrow(
            () ->
                QuarryException.user(
                    ErrorCode.BUSY,
                    "another refresh or import of "
                        + namespaceDir.getFileName()
                        + " is running ("
                        + namespaceDir
                        + ")"));
  }
}
