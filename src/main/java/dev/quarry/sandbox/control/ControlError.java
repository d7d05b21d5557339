package dev.quarry.sandbox.control;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import java.nio.charset.StandardCharsets;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * An S3 Control error answer: an HTTP status, a code and a message, sent as S3 Control sends them,
 * nested in {@code <ErrorResponse><Error>} (unlike S3's flat {@code <Error>}; the SDKs read both),
 * with the request id beside the error.
 *
 * <p>A 4xx is the client's doing ({@link ErrorKind#USER}); a 5xx is the endpoint's ({@link
 * ErrorKind#INTERNAL}).
 */
final class ControlError extends QuarryException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  ControlError(int status, String code, String message) {
    super(status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.AWS_REQUEST_INVALID, message);
    this.status = status;
    this.code = requireNonNull(code, "code is null");
  }

  /**
   * A parameter CreateJob, DescribeJob, UpdateJobPriority or UpdateJobStatus refuses: those
   * operations' model error is BadRequestException. The model gives no error an HTTP status, so
   * each is 400, as AWS's API reference lists them, but InternalServiceException (a fault, 500).
   */
  static ControlError badRequest(String message) {
    return new ControlError(400, "BadRequestException", message);
  }

  /** A parameter ListJobs refuses: its model error is InvalidRequestException, not BadRequest. */
  static ControlError invalidRequest(String message) {
    return new ControlError(400, "InvalidRequestException", message);
  }

  /** A CreateJob body that is not a CreateJobRequest document: a bad request to the model. */
  static ControlError malformedXml(String message) {
    return badRequest(message);
  }

  /**
   * A job this account does not have: the model's error shape for DescribeJob, UpdateJobPriority
   * and UpdateJobStatus is NotFoundException (the user guide's troubleshooting page calls it
   * NoSuchJobException), so an SDK client gets its modelled NotFoundException class; 400 as AWS's
   * API reference lists it.
   */
  static ControlError noSuchJob(String jobId) {
    return new ControlError(400, "NotFoundException", "The specified job does not exist: " + jobId);
  }

  /** UpdateJobStatus asking for a transition the job's status does not allow. */
  static ControlError jobStatus(String message) {
    return new ControlError(400, "JobStatusException", message);
  }

  /** A ClientRequestToken this account used for another CreateJob request. */
  static ControlError idempotency(String message) {
    return new ControlError(400, "IdempotencyException", message);
  }

  /** The endpoint's own failure: the model's fault, InternalServiceException. */
  static ControlError internal(String message) {
    return new ControlError(500, "InternalServiceException", message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  /** The error document, with {@code requestId}. */
  byte[] xml(String requestId) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try {
      XMLStreamWriter xml =
          XMLOutputFactory.newFactory().createXMLStreamWriter(bytes, StandardCharsets.UTF_8.name());
      xml.writeStartDocument(StandardCharsets.UTF_8.name(), "1.0");
      xml.writeStartElement("ErrorResponse");
      xml.writeStartElement("Error");
      element(xml, "Code", code);
      element(xml, "Message", getMessage());
      xml.writeEndElement();
      element(xml, "RequestId", requestId);
      xml.writeEndElement();
      xml.writeEndDocument();
      xml.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("cannot write an error document", e);
    }
    return bytes.toByteArray();
  }

  private static void element(XMLStreamWriter xml, String name, String text)
      throws XMLStreamException {
    xml.writeStartElement(name);
    xml.writeCharacters(text);
    xml.writeEndElement();
  }
}
