package dev.quarry.config;

import java.util.Optional;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileProperty;

/** Named profiles of the AWS shared config files ({@code ~/.aws/config}, {@code credentials}). */
final class AwsProfiles {
  private AwsProfiles() {}

  /** The region a named profile sets, if the files exist and it sets one. */
  static Optional<String> region(String profileName) {
    try {
      return ProfileFile.defaultProfileFile()
          .profile(profileName)
          .flatMap(p -> p.property(ProfileProperty.REGION));
    } catch (RuntimeException e) {
      // an unreadable or malformed file: the SDK reports it when credentials are resolved
      return Optional.empty();
    }
  }
}
