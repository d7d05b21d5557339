package dev.quarry.query.athena;

import static dev.quarry.testing.MetadataConfigurationServer.notConfigured;
import static dev.quarry.testing.MetadataConfigurationServer.v1;
import static dev.quarry.testing.MetadataConfigurationServer.v2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.config.S3Clients;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.query.MetadataTable;
import dev.quarry.testing.MetadataConfigurationServer;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The lookup through the SDK's real GetBucketMetadataConfiguration call, against recorded responses
 * (see {@link MetadataConfigurationServer} for their source).
 */
class BucketMetadataLookupTest {
  private final MetadataConfigurationServer server = MetadataConfigurationServer.start();
  private final S3Client s3 =
      S3Clients.create(S3Servers.config(server.endpoint(), Path.of("unused")), 1);
  private final BucketMetadataLookup lookup = new BucketMetadataLookup(s3);

  @AfterEach
  void tearDown() {
    s3.close();
    server.close();
  }

  @Test
  void aV2ConfigurationGivesTheNamespaceTablesAndCatalog() {
    // given
    server.answer("starwatcher", v2("b_starwatcher", "ENABLED", "ACTIVE"));

    // when
    BucketMetadata metadata = lookup.lookup("starwatcher");

    // then
    assertThat(metadata.namespace()).isEqualTo("b_starwatcher");
    assertThat(metadata.tableBucketType()).isEqualTo("aws");
    assertThat(metadata.catalog()).contains("s3tablescatalog/aws-s3");
    assertThat(metadata.journal())
        .contains(new BucketMetadata.Table("journal", "ENABLED", "ACTIVE", Optional.empty()));
    assertThat(metadata.inventory())
        .contains(new BucketMetadata.Table("inventory", "ENABLED", "ACTIVE", Optional.empty()));
    assertThat(metadata.unusable(MetadataTable.INVENTORY)).isEmpty();
    assertThat(server.lookups()).containsExactly("starwatcher");
  }

  @Test
  void aV1ConfigurationHasItsOwnTableBucketAndNoInventory() {
    // given
    server.answer("photos", v1("my-tables", "photos_journal"));

    // when
    BucketMetadata metadata = lookup.lookup("photos");

    // then
    assertThat(metadata.namespace()).isEqualTo("aws_s3_metadata");
    assertThat(metadata.catalog()).contains("s3tablescatalog/my-tables");
    assertThat(metadata.journal().orElseThrow().name()).isEqualTo("photos_journal");
    assertThat(metadata.unusable(MetadataTable.JOURNAL)).isEmpty();
    assertThat(metadata.unusable(MetadataTable.INVENTORY))
        .hasValueSatisfying(m -> assertThat(m).contains("has no inventory table"));
  }

  @Test
  void aDisabledOrBackfillingInventoryCannotBeQueried() {
    // given
    server
        .answer("off", v2("b_off", "DISABLED", ""))
        .answer("new", v2("b_new", "ENABLED", "BACKFILLING"));

    // when / then
    assertThat(lookup.lookup("off").unusable(MetadataTable.INVENTORY))
        .hasValueSatisfying(
            m -> assertThat(m).contains("is not enabled (ConfigurationState DISABLED)"));
    assertThat(lookup.lookup("new").unusable(MetadataTable.INVENTORY))
        .hasValueSatisfying(m -> assertThat(m).contains("is still BACKFILLING"));
    assertThat(lookup.lookup("new").unusable(MetadataTable.JOURNAL)).isEmpty();
  }

  @Test
  void aBucketWithoutConfigurationIsAUserErrorThatSaysWhatToDo() {
    // given
    server.answer("plain", notConfigured());

    // when / then
    assertThatThrownBy(() -> lookup.lookup("plain"))
        .isInstanceOf(QuarryException.class)
        .satisfies(e -> assertThat(((QuarryException) e).kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("bucket plain has no S3 Metadata configuration")
        .hasMessageContaining("MetadataConfigurationNotFound")
        .hasMessageContaining("metadata.namespace");
  }

  @Test
  void aMissingBucketIsNamed() {
    // given: nothing recorded, so the server answers NoSuchBucket

    // when / then
    assertThatThrownBy(() -> lookup.lookup("nowhere"))
        .isInstanceOf(QuarryException.class)
        .hasMessage("there is no bucket nowhere (NoSuchBucket)");
  }
}
