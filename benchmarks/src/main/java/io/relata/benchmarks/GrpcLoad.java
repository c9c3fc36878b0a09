package io.relata.benchmarks;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop gRPC load generator, run as its own process: SpiceDB's official Java client
 * (async stub) over {@code --channels} HTTP/2 connections keeps {@code --inflight} calls open
 * at all times (each answer sends the next call, like wrk's connections), first for
 * {@code --warmup} seconds on the checks of {@code --warmup-checks}, then for
 * {@code --seconds} on those of {@code --checks}, cycling through the file in order. Latency
 * of the calls started and answered inside the measured window goes into an HdrHistogram.
 * With {@code --health} it calls the standard gRPC health service instead (the floor); with
 * {@code --once} it sends each check of {@code --checks} once and stops (to prime caches).
 *
 * <p>With {@code --metrics URL} it also reads the server's counters ({@link ServerCounters}) at
 * the edges of the measured window and prints {@code COUNTERS|before...|after...}.
 *
 * <p>Prints one line for people and one {@code RESULT|label|calls|rate|p50|p95|p99|max|errors|has %}
 * line (milliseconds) for {@code benchmarks/run-grpc.sh}. Being closed loop, a slow answer
 * delays the next call on its lane: like wrk, this measures service time at saturation, not
 * latency at a fixed arrival rate.
 */
public final class GrpcLoad {

    private final List<ManagedChannel> channels;
    private final BearerToken token;
    private final boolean health;
    private final Recorder recorder = new Recorder(60_000_000L, 3);
    private final AtomicLong next = new AtomicLong();
    private final LongAdder answered = new LongAdder();
    private final LongAdder has = new LongAdder();
    private final Map<Status.Code, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong open = new AtomicLong();
    private volatile String firstError;
    private volatile List<CheckPermissionRequest> checks;
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;
    private volatile boolean stopping;
    private volatile boolean once;

    private GrpcLoad(List<ManagedChannel> channels, String key, boolean health) {
        this.channels = channels;
        this.token = new BearerToken(key);
        this.health = health;
    }

    public static void main(String[] args) throws Exception {
        String target = "127.0.0.1:50051";
        String key = "bench";
        String label = "grpc";
        Path checksFile = null;
        Path warmupFile = null;
        int inflight = 64;
        int channelCount = 2;
        double warmup = 5;
        double seconds = 20;
        boolean health = false;
        boolean once = false;
        String metrics = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> target = args[++i];
                case "--key" -> key = args[++i];
                case "--label" -> label = args[++i];
                case "--checks" -> checksFile = Path.of(args[++i]);
                case "--warmup-checks" -> warmupFile = Path.of(args[++i]);
                case "--inflight" -> inflight = Integer.parseInt(args[++i]);
                case "--channels" -> channelCount = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--health" -> health = true;
                case "--once" -> once = true;
                case "--metrics" -> metrics = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; expected --target"
                        + " host:port --key K --label L (--checks FILE [--warmup-checks FILE] | --health) --inflight N"
                        + " --channels N --warmup SECONDS --seconds SECONDS [--metrics http://host:port/metrics] [--once]");
            }
        }
        if (!health && checksFile == null) {
            throw new IllegalArgumentException("give --checks FILE (one 'type:id permission type:id' a line) or --health");
        }
        List<CheckPermissionRequest> measured = health ? List.of() : GrpcClients.readChecks(checksFile);
        List<CheckPermissionRequest> warm = warmupFile == null ? measured : GrpcClients.readChecks(warmupFile);
        List<ManagedChannel> channels = GrpcClients.channels(target, channelCount);
        try {
            GrpcLoad load = new GrpcLoad(channels, key, health);
            if (once) {
                load.once(label, measured, inflight);
            } else {
                load.run(label, warm, measured, inflight, warmup, seconds, metrics);
            }
        } finally {
            GrpcClients.close(channels);
        }
    }

    private void run(String label, List<CheckPermissionRequest> warm, List<CheckPermissionRequest> measured,
            int inflight, double warmup, double seconds, String metrics) throws InterruptedException {
        checks = warm;
        for (int lane = 0; lane < inflight; lane++) {
            send(lane);
        }
        Thread.sleep((long) (warmup * 1000));
        checks = measured;
        next.set(0);
        recorder.reset();
        String countersBefore = metrics == null ? "" : ServerCounters.read(metrics);
        long start = System.nanoTime();
        windowStart = start;
        windowEnd = start + (long) (seconds * 1e9);
        Thread.sleep((long) (seconds * 1000));
        stopping = true;
        String countersAfter = metrics == null ? "" : ServerCounters.read(metrics);
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(35);
        while (open.get() > 0 && System.nanoTime() < drainUntil) {
            Thread.sleep(10);
        }
        Histogram h = recorder.getIntervalHistogram();
        long errorCount = errors.values().stream().mapToLong(LongAdder::sum).sum();
        long calls = answered.sum();
        double rate = calls / seconds;
        double hasShare = calls == 0 ? 0 : 100.0 * has.sum() / calls;
        Map<String, Long> byCode = new TreeMap<>();
        errors.forEach((code, n) -> byCode.put(code.name(), n.sum()));
        System.out.printf("%s: %,d calls in %.0f s = %,.0f/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms,"
                        + " errors %d %s%s, HAS %.1f %%, still open %d%n", label, calls, seconds, rate,
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(95)), ms(h.getValueAtPercentile(99)),
                ms(h.getMaxValue()), errorCount, byCode.isEmpty() ? "" : byCode,
                firstError == null ? "" : " (first: " + firstError + ")", hasShare, open.get());
        System.out.printf("RESULT|%s|%d|%.0f|%.2f|%.2f|%.2f|%.2f|%d|%.1f%n", label, calls, rate,
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(95)), ms(h.getValueAtPercentile(99)),
                ms(h.getMaxValue()), errorCount + open.get(), hasShare);
        if (metrics != null) {
            System.out.println("COUNTERS|" + countersBefore + "|" + countersAfter);
        }
    }

    /** Sends every check of {@code pool} once, {@code inflight} at a time (to prime the server's caches). */
    private void once(String label, List<CheckPermissionRequest> pool, int inflight) throws InterruptedException {
        checks = pool;
        once = true;
        long start = System.nanoTime();
        windowStart = start;
        for (int lane = 0; lane < inflight; lane++) {
            send(lane);
        }
        while (open.get() > 0) {
            Thread.sleep(10);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long errorCount = errors.values().stream().mapToLong(LongAdder::sum).sum();
        System.out.printf("%s: %,d checks once each in %.1f s (%,.0f/s), errors %d%s%n", label, answered.sum(), seconds,
                answered.sum() / seconds, errorCount, firstError == null ? "" : " (first: " + firstError + ")");
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    /** Starts the next call on {@code lane}; its answer starts the one after. */
    private void send(int lane) {
        if (stopping) {
            return;
        }
        if (once && next.get() >= checks.size()) {
            return;
        }
        open.incrementAndGet();
        long started = System.nanoTime();
        ManagedChannel channel = channels.get(lane % channels.size());
        BiConsumer<Boolean, Throwable> done = (held, error) -> {
            long ended = System.nanoTime();
            if (started >= windowStart && ended <= windowEnd) {
                if (error == null) {
                    recorder.recordValue(Math.max(1, (ended - started) / 1000));
                    answered.increment();
                    if (held) {
                        has.increment();
                    }
                } else {
                    Status status = Status.fromThrowable(error);
                    errors.computeIfAbsent(status.getCode(), c -> new LongAdder()).increment();
                    if (firstError == null) {
                        firstError = status.getCode() + ": " + status.getDescription();
                    }
                }
            }
            send(lane); // before this call leaves the count, so that it never drops to 0 while work remains
            open.decrementAndGet();
        };
        if (health) {
            HealthGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).check(
                    HealthCheckRequest.getDefaultInstance(), observer(r -> false, done));
            return;
        }
        List<CheckPermissionRequest> pool = checks;
        long index = next.getAndIncrement();
        if (once && index >= pool.size()) {
            open.decrementAndGet();
            return;
        }
        CheckPermissionRequest check = pool.get((int) (index % pool.size()));
        PermissionsServiceGrpc.newStub(channel).withCallCredentials(token).withDeadlineAfter(30, TimeUnit.SECONDS)
                .checkPermission(check, observer(r -> r.getPermissionship()
                        == CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION, done));
    }

    private static <T> StreamObserver<T> observer(java.util.function.Predicate<T> held,
            BiConsumer<Boolean, Throwable> done) {
        return new StreamObserver<>() {
            private boolean answer;

            @Override
            public void onNext(T value) {
                answer = held.test(value);
            }

            @Override
            public void onError(Throwable t) {
                done.accept(false, t);
            }

            @Override
            public void onCompleted() {
                done.accept(answer, null);
            }
        };
    }
}
