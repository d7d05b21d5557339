package dev.quarry.action;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * The checksum algorithms S3's Compute checksum operation offers, computed as S3 computes them:
 * CRCs as big-endian bytes (4 for CRC32 and CRC32C, 8 for CRC64NVME), digests as their bytes, and
 * values shown in base64 as S3's {@code x-amz-checksum-*} headers show them.
 *
 * <p>CRC64NVME is computed here rather than with the AWS SDK's {@code SdkChecksum}: the SDK only
 * offers it through the native AWS CRT library, which Quarry does not ship.
 */
public final class ObjectChecksum {
  private ObjectChecksum() {}

  /** The algorithms S3's user guide lists for Compute checksum ("Checking object integrity"). */
  public enum Algorithm {
    CRC32,
    CRC32C,
    CRC64NVME,
    MD5,
    SHA1,
    SHA256;

    /**
     * Whether a composite (checksum of the part checksums) is defined: AWS documents CRC64NVME as
     * full-object only.
     */
    public boolean allowsComposite() {
      return this != CRC64NVME;
    }

    /** A fresh running checksum of this algorithm. */
    public Running start() {
      return switch (this) {
        case CRC32 -> new Crc(new CRC32(), 4);
        case CRC32C -> new Crc(new CRC32C(), 4);
        case CRC64NVME -> new Crc(new Crc64Nvme(), 8);
        case MD5 -> new Digest("MD5");
        case SHA1 -> new Digest("SHA-1");
        case SHA256 -> new Digest("SHA-256");
      };
    }

    /** The checksum of {@code bytes}. */
    public byte[] of(byte[] bytes) {
      Running running = start();
      running.update(bytes, 0, bytes.length);
      return running.finish();
    }
  }

  /** A checksum being computed over a stream of bytes. */
  public interface Running {
    void update(byte[] bytes, int offset, int length);

    /** The checksum's bytes; the running checksum is not used afterwards. */
    byte[] finish();
  }

  private record Crc(Checksum crc, int width) implements Running {
    @Override
    public void update(byte[] bytes, int offset, int length) {
      crc.update(bytes, offset, length);
    }

    @Override
    public byte[] finish() {
      long value = crc.getValue();
      byte[] out = new byte[width];
      for (int i = width - 1; i >= 0; i--) {
        out[i] = (byte) value;
        value >>>= 8;
      }
      return out;
    }
  }

  private record Digest(MessageDigest digest) implements Running {
    Digest(String name) {
      this(digest(name));
    }

    private static MessageDigest digest(String name) {
      try {
        return MessageDigest.getInstance(name);
      } catch (NoSuchAlgorithmException e) {
        // every Java platform must offer MD5, SHA-1 and SHA-256
        throw new IllegalStateException(name + " is missing from this Java runtime", e);
      }
    }

    @Override
    public void update(byte[] bytes, int offset, int length) {
      digest.update(bytes, offset, length);
    }

    @Override
    public byte[] finish() {
      return digest.digest();
    }
  }

  /**
   * CRC-64/NVME (the CRC S3 uses by default): reflected polynomial 0x9a6c9329ac4bc9b5, initial
   * value and final xor all ones; its check value ("123456789") is 0xae8b14860a799888.
   */
  static final class Crc64Nvme implements Checksum {
    private static final long[] TABLE = new long[256];

    static {
      for (int n = 0; n < 256; n++) {
        long c = n;
        for (int k = 0; k < 8; k++) {
          c = (c & 1) != 0 ? (c >>> 1) ^ 0x9a6c9329ac4bc9b5L : c >>> 1;
        }
        TABLE[n] = c;
      }
    }

    private long crc = ~0L;

    @Override
    public void update(int b) {
      crc = TABLE[(int) ((crc ^ b) & 0xff)] ^ (crc >>> 8);
    }

    @Override
    public void update(byte[] bytes, int offset, int length) {
      long c = crc;
      for (int i = offset; i < offset + length; i++) {
        c = TABLE[(int) ((c ^ bytes[i]) & 0xff)] ^ (c >>> 8);
      }
      crc = c;
    }

    @Override
    public long getValue() {
      return ~crc;
    }

    @Override
    public void reset() {
      crc = ~0L;
    }
  }
}
