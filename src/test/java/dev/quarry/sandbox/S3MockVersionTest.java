package dev.quarry.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox runs only the S3Mock its BucketStore (src/s3mock) was written for. */
class S3MockVersionTest {
  @Test
  void acceptsTheJarTheBuildFetches() {
    // given the jar of the pom's s3mock.version, where the build puts it
    Path jar = S3MockServer.locateJar();

    // when, then
    assertThatCode(() -> S3MockServer.requireShadowedVersion(jar)).doesNotThrowAnyException();
  }

  @Test
  void refusesAnotherVersion(@TempDir Path dir) throws Exception {
    // given an S3Mock jar of another version
    Path jar = dir.resolve("s3mock.jar");
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry("META-INF/maven/com.adobe.testing/s3mock/pom.properties"));
      out.write(
          "artifactId=s3mock\ngroupId=com.adobe.testing\nversion=5.3.0\n"
              .getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }

    // when
    QuarryException refused =
        catchThrowableOfType(QuarryException.class, () -> S3MockServer.requireShadowedVersion(jar));

    // then
    assertThat(refused.errorCode()).isEqualTo(ErrorCode.TOOL_MISSING);
    assertThat(refused).hasMessageContaining("version 5.3.0").hasMessageContaining("5.2.0");
  }
}
