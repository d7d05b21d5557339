package dev.quarry.cli;

import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.metadata.MetadataRefresher;
import dev.quarry.metadata.RefreshProgress;
import dev.quarry.metadata.RefreshSummary;
import dev.quarry.metadata.Warehouse;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code quarry metadata refresh}: rebuilds a bucket's inventory and appends to its journal. */
@Command(
    name = "refresh",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuilds the inventory table of a bucket from its S3 endpoint (every version and delete"
          + " marker: ListObjectVersions, then HeadObject and GetObjectTagging per version) and"
          + " appends one journal file with the changes since the previous refresh.",
      "",
      "The first refresh backfills the journal from the version history (CREATE per version,"
          + " DELETE per delete marker). Later refreshes record new versions (CREATE), new delete"
          + " markers (DELETE, is_delete_marker TRUE), versions gone (DELETE, is_delete_marker"
          + " NULL, at the refresh time) and changed tags or metadata (UPDATE_METADATA, at the"
          + " refresh time). requester, source_ip_address and request_id are unknown locally"
          + " and left NULL; changes that cancel out between two refreshes are not seen.",
      "",
      "--incremental: a listed version with a version id that the previous inventory holds"
          + " with the same size, last-modified time, ETag and storage class is not read with"
          + " HeadObject; its encryption, user metadata, checksum and multipart fields are taken"
          + " from the previous inventory, its tags are read again. The null version (unversioned"
          + " buckets, objects written before versioning) and every new or changed version are"
          + " read in full. It trusts that no version changed in place but for its tags and"
          + " storage class. Do not use it after an encryption change in place: S3's"
          + " UpdateObjectEncryption (Quarry's update-encryption re-encrypt) keeps the version"
          + " id, ETag and dates, so only a full refresh sees it; nor against S3Mock, which"
          + " rewrites a version in place on a copy onto itself.",
      "",
      "Examples:",
      "  quarry metadata refresh --bucket starwatcher",
      "  quarry metadata refresh --bucket starwatcher --concurrency 64 --output json",
      "  quarry metadata refresh --bucket starwatcher --incremental",
      "  quarry metadata refresh --bucket logs --s3-endpoint http://127.0.0.1:9090"
    })
public final class MetadataRefreshCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Option(
      names = "--bucket",
      required = true,
      paramLabel = "BUCKET",
      description = "The bucket to read; its tables go to namespace b_<BUCKET>.")
  String bucket;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "" + MetadataRefresher.DEFAULT_CONCURRENCY,
      description = "Requests in flight at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--incremental",
      description =
          "Read only the tags of versions the previous inventory shows unchanged (size,"
              + " last-modified, ETag, storage class); HeadObject for the rest. Trusts that no"
              + " version's encryption or metadata changed in place (see above). Default: every"
              + " version read in full.")
  boolean incremental;

  private final CliContext context;

  public MetadataRefreshCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    QuarryConfig config = context.config(global);
    String endpoint = config.s3Endpoint().map(Object::toString).orElse("aws");
    MetadataRefresher.checkBucketName(bucket);
    RefreshProgress progress = ProgressBars.refresh(context, bucket);
    RefreshSummary summary;
    try (S3Client s3 = S3Clients.create(config, Math.max(concurrency, 1))) {
      summary =
          new MetadataRefresher(
                  new Warehouse(config.warehouseDir()), s3, endpoint, Clock.systemUTC())
              .refresh(bucket, concurrency, incremental, progress);
    }
    PrintWriter out = context.out();
    switch (global.output()) {
      case json -> out.println(Json.write(summary));
      case text -> printText(out, summary);
    }
  }

  private static void printText(PrintWriter out, RefreshSummary s) {
    out.printf(
        Locale.ROOT,
        "refreshed %s: %d versions, %d delete markers in %.1f s (%.0f objects/s)%n",
        s.namespace(),
        s.versions(),
        s.deleteMarkers(),
        s.duration().toMillis() / 1000.0,
        s.objectsPerSecond());
    out.printf(
        Locale.ROOT,
        "journal%s: %d CREATE, %d UPDATE_METADATA, %d DELETE (%d delete markers, %d permanent)%n",
        s.firstRefresh() ? " (backfilled from the version history)" : "",
        s.creates(),
        s.updates(),
        s.deleteMarkersCreated() + s.permanentDeletes(),
        s.deleteMarkersCreated(),
        s.permanentDeletes());
    out.printf(
        Locale.ROOT,
        "versions: %d read in full (HeadObject), %d known from the previous inventory (tags read)%n",
        s.versionsReadInFull(),
        s.versionsReused());
    if (s.vanished() > 0) {
      out.printf(Locale.ROOT, "%d versions vanished while being read%n", s.vanished());
    }
    out.println("inventory: " + s.inventoryFile());
    out.println("journal:   " + (s.journalFile() == null ? "(no changes)" : s.journalFile()));
  }
}
