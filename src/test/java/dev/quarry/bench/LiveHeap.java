package dev.quarry.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/** How much heap a piece of work keeps alive: sampled after a full GC every 50 ms. */
final class LiveHeap {
  private LiveHeap() {}

  /** Runs {@code work} while sampling the heap that survives a full GC; returns its maximum. */
  static double maxMiB(Runnable work) throws InterruptedException {
    AtomicLong max = new AtomicLong();
    Thread sampler =
        new Thread(
            () -> {
              var memory = ManagementFactory.getMemoryMXBean();
              while (!Thread.currentThread().isInterrupted()) {
                System.gc();
                max.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    System.gc();
    sampler.start();
    work.run();
    sampler.interrupt();
    sampler.join();
    return max.get() / (1024.0 * 1024.0);
  }
}
