package dev.quarry.query.athena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.QuarryException;
import dev.quarry.query.MetadataTable;
import dev.quarry.query.QueryTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetadataResolverTest {
  private final List<String> lookedUp = new ArrayList<>();

  private BucketMetadata v2(String bucket) {
    lookedUp.add(bucket);
    return new BucketMetadata(
        bucket,
        "aws",
        "arn:aws:s3tables:us-east-1:111122223333:bucket/aws-s3",
        "b_" + bucket,
        Optional.of(new BucketMetadata.Table("journal", "ENABLED", "ACTIVE", Optional.empty())),
        Optional.of(new BucketMetadata.Table("inventory", "DISABLED", "", Optional.empty())));
  }

  private BucketMetadata v1(String bucket) {
    lookedUp.add(bucket);
    return new BucketMetadata(
        bucket,
        "customer",
        "arn:aws:s3tables:us-east-1:111122223333:bucket/mine",
        "aws_s3_metadata",
        Optional.of(new BucketMetadata.Table("my_journal", "ENABLED", "ACTIVE", Optional.empty())),
        Optional.empty());
  }

  private static QueryTarget target(
      String bucket, String namespace, String journal, Set<MetadataTable> reads) {
    return new QueryTarget(
        Optional.ofNullable(bucket),
        Optional.ofNullable(namespace),
        Optional.ofNullable(journal),
        Optional.empty(),
        reads);
  }

  @Test
  void aPlaybooksBucketGivesTheNamespaceFromItsConfiguration() {
    // given
    MetadataResolver resolver = new MetadataResolver(AthenaSettings.defaults(), false, this::v2);

    // when
    AthenaSettings settings =
        resolver.settingsFor(target("photos", null, null, Set.of(MetadataTable.JOURNAL)));
    resolver.settingsFor(target("photos", null, null, Set.of(MetadataTable.JOURNAL)));

    // then: one lookup per bucket, the namespace is the configuration's
    assertThat(settings.database()).contains("b_photos");
    assertThat(settings.catalog()).isEqualTo("s3tablescatalog/aws-s3");
    assertThat(settings.tableNames()).isEmpty();
    assertThat(lookedUp).containsExactly("photos");
  }

  @Test
  void aV1ConfigurationRenamesTheJournalAndChangesTheCatalog() {
    // given
    MetadataResolver resolver = new MetadataResolver(AthenaSettings.defaults(), false, this::v1);

    // when
    AthenaSettings settings =
        resolver.settingsFor(target("photos", null, null, Set.of(MetadataTable.JOURNAL)));

    // then
    assertThat(settings.database()).contains("aws_s3_metadata");
    assertThat(settings.catalog()).isEqualTo("s3tablescatalog/mine");
    assertThat(settings.tableNames()).isEqualTo(Map.of(MetadataTable.JOURNAL, "my_journal"));
  }

  @Test
  void theProfilesCatalogIsKept() {
    // given
    MetadataResolver resolver =
        new MetadataResolver(
            AthenaSettings.defaults().withCatalog("AwsDataCatalog"), true, this::v1);

    // when / then
    assertThat(
            resolver
                .settingsFor(target("photos", null, null, Set.of(MetadataTable.JOURNAL)))
                .catalog())
        .isEqualTo("AwsDataCatalog");
  }

  @Test
  void thePlaybooksNamespaceAndTheProfilesDatabaseWinWithoutALookup() {
    // given
    MetadataResolver plain = new MetadataResolver(AthenaSettings.defaults(), false, this::v2);
    MetadataResolver withDatabase =
        new MetadataResolver(AthenaSettings.defaults().withDatabase("b_profile"), false, this::v2);
    Set<MetadataTable> reads = Set.of(MetadataTable.INVENTORY);

    // when
    AthenaSettings fromPlaybook = plain.settingsFor(target("photos", "b_mine", "j", reads));
    AthenaSettings fromProfile = withDatabase.settingsFor(target("photos", null, null, reads));
    AthenaSettings playbookOverProfile =
        withDatabase.settingsFor(target("photos", "b_mine", null, reads));

    // then
    assertThat(fromPlaybook.database()).contains("b_mine");
    assertThat(fromPlaybook.tableNames()).isEqualTo(Map.of(MetadataTable.JOURNAL, "j"));
    assertThat(fromProfile.database()).contains("b_profile");
    assertThat(playbookOverProfile.database()).contains("b_mine");
    assertThat(lookedUp).isEmpty();
  }

  @Test
  void noBucketOrNoPlainTableMeansNoLookup() {
    // given
    MetadataResolver resolver = new MetadataResolver(AthenaSettings.defaults(), false, this::v2);

    // when
    AthenaSettings noBucket =
        resolver.settingsFor(target(null, null, null, Set.of(MetadataTable.JOURNAL)));
    AthenaSettings qualified = resolver.settingsFor(target("photos", null, null, Set.of()));

    // then
    assertThat(noBucket.database()).isEmpty();
    assertThat(qualified.database()).isEmpty();
    assertThat(lookedUp).isEmpty();
  }

  @Test
  void readingADisabledInventoryIsRefusedBeforeAnyQuery() {
    // given
    MetadataResolver resolver = new MetadataResolver(AthenaSettings.defaults(), false, this::v2);

    // when / then
    assertThatThrownBy(
            () ->
                resolver.settingsFor(
                    target(
                        "photos",
                        null,
                        null,
                        Set.of(MetadataTable.JOURNAL, MetadataTable.INVENTORY))))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("the inventory table of bucket photos is not enabled");
  }
}
