package dev.quarry.sandbox;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * What {@code quarry sandbox seed} writes: a deterministic demo bucket for the example playbooks.
 * The same object count and random seed always give the same plan.
 *
 * <p>About 80% camera images ({@code camera/<yyyy>/<mm>/<dd>/img-<n>.jpg}, tagged {@code weather}
 * and {@code category}, half of them archived), 15% service logs, ~40 AMI exports with {@code
 * ami-name} / {@code instance-id} metadata in archive tiers, and six keys with awkward characters.
 * Every object is explicitly encrypted, ~30% with SSE-KMS. About 5% of camera and log objects get a
 * second (some a third) version; about 100 camera objects are deleted last, leaving delete markers.
 *
 * @param puts every PUT, in generations: generation 1 creates each key, 2 and 3 overwrite it
 * @param deletes keys deleted (plain DeleteObject, leaving a delete marker) after every PUT
 */
public record SeedPlan(
    String bucket, long seed, String kmsKeyId, List<Put> puts, List<String> deletes) {
  public static final String DEFAULT_BUCKET = "starwatcher";
  public static final int DEFAULT_OBJECTS = 3000;
  public static final int MIN_OBJECTS = 50;
  public static final long DEFAULT_SEED = 20250611L;

  static final List<String> ODD_KEYS =
      List.of(
          "odd/naïve café.txt",
          "odd/100%+true,\"quoted\".txt",
          "odd/with space/and+plus.txt",
          "odd/it's 'single' quoted.txt",
          "odd/日本語/ファイル.txt",
          "odd/semi;colon=equals&amp.txt");

  private static final List<String> SERVICES =
      List.of("api", "ingest", "billing", "auth", "search");
  private static final List<String> TEAMS = List.of("platform", "data");
  private static final LocalDate CAMERA_FROM = LocalDate.of(2023, 1, 1);
  private static final int CAMERA_DAYS = 3 * 365;
  private static final LocalDate LOGS_FROM = LocalDate.of(2025, 1, 1);
  private static final LocalDate AMI_FROM = LocalDate.of(2024, 1, 1);

  public SeedPlan {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(kmsKeyId, "kmsKeyId is null");
    puts = List.copyOf(requireNonNull(puts, "puts is null"));
    deletes = List.copyOf(requireNonNull(deletes, "deletes is null"));
  }

  /** Server-side encryption of one PUT, named as the inventory's {@code encryption_status}. */
  public enum Encryption {
    SSE_S3("SSE-S3"),
    SSE_KMS("SSE-KMS");

    private final String label;

    Encryption(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One PUT.
   *
   * @param generation 1 creates the key; 2 and 3 overwrite it (new versions)
   * @param bucketKey whether an SSE-KMS PUT asks for an S3 Bucket Key
   * @param contentSeed seeds the body's bytes, so content is the same whichever thread writes it
   */
  public record Put(
      String key,
      int generation,
      String storageClass,
      Encryption encryption,
      boolean bucketKey,
      Map<String, String> tags,
      Map<String, String> metadata,
      String contentType,
      int size,
      long contentSeed) {
    public Put {
      requireNonNull(key, "key is null");
      requireNonNull(storageClass, "storageClass is null");
      requireNonNull(encryption, "encryption is null");
      tags = Map.copyOf(requireNonNull(tags, "tags is null"));
      metadata = Map.copyOf(requireNonNull(metadata, "metadata is null"));
      requireNonNull(contentType, "contentType is null");
    }

    /** The first path segment: {@code camera}, {@code logs}, {@code ami-exports}, {@code odd}. */
    public String prefix() {
      return key.substring(0, key.indexOf('/'));
    }

    Put overwrite(int newGeneration, int newSize, long newContentSeed) {
      return new Put(
          key,
          newGeneration,
          storageClass,
          encryption,
          bucketKey,
          tags,
          metadata,
          contentType,
          newSize,
          newContentSeed);
    }
  }

  /**
   * @throws QuarryException (user) if {@code objects} is below {@link #MIN_OBJECTS}
   */
  public static SeedPlan generate(String bucket, int objects, long seed, String kmsKeyId) {
    if (objects < MIN_OBJECTS) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "--objects must be at least " + MIN_OBJECTS + " (got " + objects + ")");
    }
    Random random = new Random(seed);
    int amis = Math.max(2, Math.round(objects * 40 / 3000f));
    int logs = Math.round(objects * 0.15f);
    int camera = objects - ODD_KEYS.size() - amis - logs;
    int deletes = Math.max(1, Math.round(objects / 30f));

    List<Put> first = new ArrayList<>(objects);
    for (int n = 0; n < camera; n++) {
      first.add(camera(n, random));
    }
    for (int n = 0; n < logs; n++) {
      first.add(log(n, random));
    }
    List<String> instances = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      instances.add("i-0" + hex(random, 16));
    }
    for (int n = 0; n < amis; n++) {
      first.add(ami(random, instances));
    }
    for (String key : ODD_KEYS) {
      first.add(
          new Put(
              key,
              1,
              "STANDARD",
              Encryption.SSE_S3,
              false,
              Map.of(),
              Map.of(),
              "text/plain; charset=utf-8",
              64 + random.nextInt(512),
              random.nextLong()));
    }

    List<Put> puts = new ArrayList<>(first);
    for (Put put : first) {
      boolean versioned = put.prefix().equals("camera") || put.prefix().equals("logs");
      if (versioned && random.nextDouble() < 0.05) {
        puts.add(put.overwrite(2, put.size() + random.nextInt(256), random.nextLong()));
        if (random.nextInt(3) == 0) {
          puts.add(put.overwrite(3, put.size() + random.nextInt(256), random.nextLong()));
        }
      }
    }

    List<String> cameraKeys =
        first.stream().filter(p -> p.prefix().equals("camera")).map(Put::key).toList();
    Set<String> deleted = new HashSet<>();
    List<String> deleteOrder = new ArrayList<>();
    while (deleteOrder.size() < Math.min(deletes, cameraKeys.size())) {
      String key = cameraKeys.get(random.nextInt(cameraKeys.size()));
      if (deleted.add(key)) {
        deleteOrder.add(key);
      }
    }
    return new SeedPlan(bucket, seed, kmsKeyId, puts, deleteOrder);
  }

  /** Keys the plan creates. */
  public int objects() {
    return (int) puts.stream().filter(p -> p.generation() == 1).count();
  }

  private static Put camera(int n, Random random) {
    LocalDate day = CAMERA_FROM.plusDays(random.nextInt(CAMERA_DAYS));
    String key =
        String.format(
            Locale.ROOT,
            "camera/%04d/%02d/%02d/img-%05d.jpg",
            day.getYear(),
            day.getMonthValue(),
            day.getDayOfMonth(),
            n);
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("weather", pick(random, new String[] {"rain", "sun", "snow", "fog"}, 40, 30, 15, 15));
    tags.put(
        "category", pick(random, new String[] {"training", "validation", "archive"}, 60, 20, 20));
    String storageClass =
        pick(
            random,
            new String[] {"STANDARD", "STANDARD_IA", "GLACIER", "DEEP_ARCHIVE"},
            35,
            15,
            30,
            20);
    return encrypted(
        key, storageClass, tags, Map.of(), "image/jpeg", 512 + random.nextInt(3584), random);
  }

  private static Put log(int n, Random random) {
    String service = SERVICES.get(n % SERVICES.size());
    LocalDate day = LOGS_FROM.plusDays(n / SERVICES.size());
    String key = "logs/" + service + "/" + DateTimeFormatter.ISO_LOCAL_DATE.format(day) + ".log";
    String storageClass = random.nextInt(10) < 7 ? "STANDARD" : "STANDARD_IA";
    Map<String, String> tags =
        random.nextInt(3) == 0 ? Map.of("team", TEAMS.get(random.nextInt(2))) : Map.of();
    return encrypted(
        key,
        storageClass,
        tags,
        Map.of(),
        "text/plain; charset=utf-8",
        200 + random.nextInt(1800),
        random);
  }

  private static Put ami(Random random, List<String> instances) {
    String amiId = "ami-0" + hex(random, 16);
    String instance = instances.get(random.nextInt(instances.size()));
    String date = DateTimeFormatter.ISO_LOCAL_DATE.format(AMI_FROM.plusDays(random.nextInt(730)));
    int naming = random.nextInt(10);
    String name =
        naming < 6
            ? "AwsBackup_" + instance + "_" + date
            : naming < 8 ? "golden-web-" + date : "manual-before-upgrade-" + date;
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("ami-name", name);
    metadata.put("instance-id", instance);
    String storageClass = random.nextBoolean() ? "GLACIER" : "DEEP_ARCHIVE";
    return encrypted(
        "ami-exports/" + amiId + ".bin",
        storageClass,
        Map.of(),
        metadata,
        "application/octet-stream",
        4096 + random.nextInt(12288),
        random);
  }

  private static Put encrypted(
      String key,
      String storageClass,
      Map<String, String> tags,
      Map<String, String> metadata,
      String contentType,
      int size,
      Random random) {
    boolean kms = random.nextInt(10) < 3;
    boolean bucketKey = kms && random.nextBoolean();
    return new Put(
        key,
        1,
        storageClass,
        kms ? Encryption.SSE_KMS : Encryption.SSE_S3,
        bucketKey,
        tags,
        metadata,
        contentType,
        size,
        random.nextLong());
  }

  /** One of {@code values}, chosen with the given weights (in percent). */
  private static String pick(Random random, String[] values, int... weights) {
    int roll = random.nextInt(100);
    for (int i = 0; i < values.length; i++) {
      roll -= weights[i];
      if (roll < 0) {
        return values[i];
      }
    }
    return values[values.length - 1];
  }

  private static String hex(Random random, int digits) {
    StringBuilder text = new StringBuilder(digits);
    for (int i = 0; i < digits; i++) {
      text.append(Character.forDigit(random.nextInt(16), 16));
    }
    return text.toString();
  }
}
