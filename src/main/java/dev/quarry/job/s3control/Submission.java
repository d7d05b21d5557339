package dev.quarry.job.s3control;

import static java.util.Objects.requireNonNull;

import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One run's submission to S3 Batch Operations as this machine knows it, saved before and after each
 * remote call: an interrupted run resumes with the same token (CreateJob then answers with the job
 * it made) and finds its job again.
 *
 * @param request what was asked for, so that a resumed submission sends the same
 * @param manifestBucket where the manifest is (or is going) in S3
 * @param manifestEtag the uploaded manifest's ETag, once S3 has it
 * @param jobId the job, once CreateJob has answered
 * @param transitions every status this machine saw the job in, with when it first saw it
 */
public record Submission(
    JobRequest request,
    String manifestBucket,
    String manifestKey,
    Optional<String> manifestEtag,
    Optional<String> jobId,
    List<JobRecord.Transition> transitions) {
  public Submission {
    requireNonNull(request, "request is null");
    requireNonNull(manifestBucket, "manifestBucket is null");
    requireNonNull(manifestKey, "manifestKey is null");
    requireNonNull(manifestEtag, "manifestEtag is null");
    requireNonNull(jobId, "jobId is null");
    transitions = List.copyOf(transitions);
  }

  static Submission start(JobRequest request, String bucket, String key) {
    return new Submission(request, bucket, key, Optional.empty(), Optional.empty(), List.of());
  }

  /**
   * The manifest's S3 ARN in {@code region}'s partition, as CreateJob's Manifest.Location names it.
   */
  public String manifestArn(String region) {
    return dev.quarry.iam.Arns.s3Object(region, manifestBucket, manifestKey);
  }

  Submission uploaded(String etag) {
    return new Submission(
        request, manifestBucket, manifestKey, Optional.of(etag), jobId, transitions);
  }

  Submission created(String id) {
    return new Submission(
        request, manifestBucket, manifestKey, manifestEtag, Optional.of(id), transitions);
  }

  /** This submission with {@code status} recorded, if it differs from the last one seen. */
  Submission observed(JobStatus status, Instant at, String note) {
    if (!transitions.isEmpty() && transitions.get(transitions.size() - 1).status() == status) {
      return this;
    }
    List<JobRecord.Transition> next = new ArrayList<>(transitions);
    next.add(new JobRecord.Transition(status, at, note));
    return new Submission(request, manifestBucket, manifestKey, manifestEtag, jobId, next);
  }
}
